import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import RedisParser from 'redis-parser';
import { ReplyWriter, type ReplySink } from '../../src/protocol/resp/reply-writer.js';
import {
  BoolReply, DoubleReply, ErrorReply, MapReply, NO_REPLY, NULL_ARRAY, OK, PONG, PushReply, QUEUED, SetReply,
  SimpleString, VerbatimReply, type Reply,
} from '../../src/protocol/reply.js';

/** Keeps every chunk it is given, as a socket that could not send at once. */
class CollectingSink implements ReplySink {
  chunks: (Buffer | string)[] = [];
  write(chunk: Buffer | string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  text(): string {
    return this.chunks.map((chunk) => (typeof chunk === 'string' ? chunk : chunk.toString('latin1'))).join('');
  }
}

function encode(reply: Reply, protocol: 2 | 3 = 2): string {
  const writer = new ReplyWriter();
  writer.protocol = protocol;
  writer.write(reply);
  const sink = new CollectingSink();
  writer.flush(sink);
  expect(writer.bytesWritten).toBe(sink.text().length);
  return sink.text();
}

describe('reply writer: RESP2 and RESP3 encodings', () => {
  const table: [string, Reply, string, string][] = [
    ['bulk', 'hello', '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['empty bulk', '', '$0\r\n\r\n', '$0\r\n\r\n'],
    ['null bulk', null, '$-1\r\n', '_\r\n'],
    ['null array', NULL_ARRAY, '*-1\r\n', '_\r\n'],
    ['OK', OK, '+OK\r\n', '+OK\r\n'],
    ['PONG', PONG, '+PONG\r\n', '+PONG\r\n'],
    ['QUEUED', QUEUED, '+QUEUED\r\n', '+QUEUED\r\n'],
    ['simple string', new SimpleString('string'), '+string\r\n', '+string\r\n'],
    ['error', new ErrorReply('ERR boom'), '-ERR boom\r\n', '-ERR boom\r\n'],
    ['error with CR LF inside', new ErrorReply('ERR a\r\nb\nc'), '-ERR a  b c\r\n', '-ERR a  b c\r\n'],
    ['zero', 0, ':0\r\n', ':0\r\n'],
    ['integer', 42, ':42\r\n', ':42\r\n'],
    ['negative integer', -9007199254740991, ':-9007199254740991\r\n', ':-9007199254740991\r\n'],
    ['integer past 2^53', 2 ** 63, ':9223372036854775808\r\n', ':9223372036854775808\r\n'],
    ['negative integer past 2^53', -(2 ** 60), ':-1152921504606846976\r\n', ':-1152921504606846976\r\n'],
    ['bigint max', 9223372036854775807n, ':9223372036854775807\r\n', ':9223372036854775807\r\n'],
    ['bigint min', -9223372036854775808n, ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['double', new DoubleReply(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['double 0.1', new DoubleReply(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n'],
    ['double inf', new DoubleReply(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', new DoubleReply(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['boolean true', BoolReply.TRUE, ':1\r\n', '#t\r\n'],
    ['boolean false', BoolReply.FALSE, ':0\r\n', '#f\r\n'],
    ['empty array', [], '*0\r\n', '*0\r\n'],
    ['nested array', [1, 'a', null, [OK, -2]], '*4\r\n:1\r\n$1\r\na\r\n$-1\r\n*2\r\n+OK\r\n:-2\r\n', '*4\r\n:1\r\n$1\r\na\r\n_\r\n*2\r\n+OK\r\n:-2\r\n'],
    ['map', new MapReply(['a', 1, 'b', null]), '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n'],
    ['set', new SetReply(['x', 'y']), '*2\r\n$1\r\nx\r\n$1\r\ny\r\n', '~2\r\n$1\r\nx\r\n$1\r\ny\r\n'],
    ['verbatim', new VerbatimReply('txt', 'a\r\nb'), '$4\r\na\r\nb\r\n', '=8\r\ntxt:a\r\nb\r\n'],
    ['push', new PushReply(['message', 'ch', 'hi']), '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n'],
    ['no reply', NO_REPLY, '', ''],
  ];
  for (const [name, reply, resp2, resp3] of table) {
    it(name, () => {
      expect(encode(reply, 2)).toBe(resp2);
      expect(encode(reply, 3)).toBe(resp3);
    });
  }

  it('bulks are binary-safe (all 256 byte values)', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const encoded = encode(all);
    expect(Buffer.from(encoded, 'latin1')).toEqual(Buffer.concat([Buffer.from('$256\r\n'), Buffer.from(all, 'latin1'), Buffer.from('\r\n')]));
  });

  it('fast-check: every integer in the 64-bit range prints exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        expect(encode(value)).toBe(`:${value}\r\n`);
        const asNumber = Number(value);
        if (Number.isSafeInteger(asNumber)) expect(encode(asNumber)).toBe(`:${value}\r\n`);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.integer(), (value) => {
        expect(encode(value)).toBe(`:${value}\r\n`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('reply writer: batching and big bulks', () => {
  it('bulks of 64KB and more are handed to the socket directly, in order', () => {
    const big = 'z'.repeat(64 * 1024);
    const bigger = String.fromCharCode(...Array.from({ length: 1000 }, (_, i) => i & 0xff)).repeat(100);
    const writer = new ReplyWriter();
    writer.write(OK);
    writer.write(big);
    writer.write(5);
    writer.write([bigger, 'small']);
    const expected = `+OK\r\n$${big.length}\r\n${big}\r\n:5\r\n*2\r\n$${bigger.length}\r\n${bigger}\r\n$5\r\nsmall\r\n`;
    expect(writer.pendingBytes).toBe(expected.length);
    const sink = new CollectingSink();
    writer.flush(sink);
    expect(sink.text()).toBe(expected);
    // The payload strings themselves went to the sink, not copies in the batch buffer.
    expect(sink.chunks).toContain(big);
    expect(sink.chunks).toContain(bigger);
      expect(writer.pendingBytes).toBe(0);
  });

  it('a batch the sink sent at once leaves the buffer for the next; one it kept is never overwritten', () => {
    const sent: string[] = [];
    const sendingSink: ReplySink = {
      write(chunk) {
        sent.push(typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
        return false;
      },
    };
    const writer = new ReplyWriter();
    writer.write('first');
    writer.flush(sendingSink);
    writer.write(42);
    writer.flush(sendingSink);
    expect(sent).toEqual(['$5\r\nfirst\r\n', ':42\r\n']);
    const keeping = new CollectingSink();
    writer.write('kept');
    writer.flush(keeping);
    writer.write('overwrites?');
    writer.flush(sendingSink);
    expect(keeping.text()).toBe('$4\r\nkept\r\n');
    expect(sent[2]).toBe('$11\r\noverwrites?\r\n');
  });

  it('a bulk just under the direct-write size is copied into the batch', () => {
    const value = 'q'.repeat(64 * 1024 - 1);
    const writer = new ReplyWriter();
    writer.write(value);
    const sink = new CollectingSink();
    writer.flush(sink);
    expect(sink.chunks).toHaveLength(1);
    expect(Buffer.isBuffer(sink.chunks[0])).toBe(true);
    expect(sink.text()).toBe(`$${value.length}\r\n${value}\r\n`);
  });

  it('the batch buffer grows for many replies and is reusable after a flush', () => {
    const writer = new ReplyWriter();
    let expected = '';
    for (let i = 0; i < 20_000; i++) {
      writer.write(`value-${i}`);
      expected += `$${`value-${i}`.length}\r\nvalue-${i}\r\n`;
    }
    const sink = new CollectingSink();
    writer.flush(sink);
    expect(sink.text()).toBe(expected);
    writer.write(PONG);
    const second = new CollectingSink();
    writer.flush(second);
    expect(second.text()).toBe('+PONG\r\n');
    // Flushing nothing writes nothing.
    writer.flush(second);
    expect(second.chunks).toHaveLength(1);
  });

  it('discard drops what was not flushed', () => {
    const writer = new ReplyWriter();
    writer.write('x'.repeat(100_000));
    writer.write(1);
    writer.discard();
    expect(writer.pendingBytes).toBe(0);
    const sink = new CollectingSink();
    writer.flush(sink);
    expect(sink.chunks).toHaveLength(0);
  });

  it('fast-check: random reply trees decode back with a RESP parser', () => {
    const leaf = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
      fc.integer(),
      fc.constant(null),
    );
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 5 })),
    })).node as fc.Arbitrary<Reply>;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 10 }), (replies) => {
        const writer = new ReplyWriter();
        for (const reply of replies) writer.write(reply);
        const sink = new CollectingSink();
        writer.flush(sink);
        const decoded: unknown[] = [];
        const parser = new RedisParser({
          returnReply: (reply: unknown) => decoded.push(reply),
          returnError: (error: unknown) => decoded.push(error),
          returnBuffers: true,
        });
        parser.execute(Buffer.from(sink.text(), 'latin1'));
        const normalise = (value: unknown): unknown =>
          Buffer.isBuffer(value) ? value.toString('latin1') : Array.isArray(value) ? value.map(normalise) : value;
        expect(decoded.map(normalise)).toEqual(replies);
      }),
      { numRuns: 500 },
    );
  });
});
