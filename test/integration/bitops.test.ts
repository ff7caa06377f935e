import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitopsCommands } from '../../src/commands/bitops.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO: every command, option and
// error sent to our server and to a real redis-server 7.0, the replies compared byte for byte.

let ours: RunningServer;
let real: RunningServer;
let oursClient: Redis;
let realClient: Redis;

beforeAll(async () => {
  [ours, real] = await Promise.all([startServer(['--enable-debug-command', 'yes']), startRedis()]);
  // stringNumbers keeps 64-bit integer replies exact; callBuffer keeps bulk strings binary.
  oursClient = new Redis({ port: ours.port, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 0 });
  realClient = new Redis({ port: real.port, host: '127.0.0.1', stringNumbers: true, maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  oursClient?.disconnect();
  realClient?.disconnect();
  await Promise.all([ours?.stop(), real?.stop()]);
});

type Normalized = string | number | null | { error: string } | Normalized[];

function normalize(reply: unknown): Normalized {
  if (Buffer.isBuffer(reply)) return reply.toString('latin1');
  if (Array.isArray(reply)) return reply.map(normalize);
  if (reply === null || typeof reply === 'string' || typeof reply === 'number') return reply;
  return String(reply);
}

/** Arguments are latin1 strings (one char per byte), so binary values survive the trip. */
async function send(client: Redis, args: readonly string[]): Promise<Normalized> {
  try {
    const [name, ...rest] = args;
    return normalize(await client.callBuffer(name!, ...rest.map((arg) => Buffer.from(arg, 'latin1'))));
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Sends the command to both servers, expects the same reply, returns it. */
async function same(...args: string[]): Promise<Normalized> {
  const [mine, theirs] = await Promise.all([send(oursClient, args), send(realClient, args)]);
  expect(mine, args.join(' ')).toEqual(theirs);
  return mine;
}

async function sameAll(commands: readonly (readonly string[])[]): Promise<void> {
  for (const command of commands) await same(...command);
}

/** Whether our server has the command yet (other command groups land separately). */
async function oursKnows(name: string): Promise<boolean> {
  const reply = await send(oursClient, [name]);
  return !(typeof reply === 'object' && reply !== null && !Array.isArray(reply) && reply.error.startsWith('ERR unknown command'));
}

/** The counters a command moves besides its reply: changes (dirty), keyspace hits and misses. */
async function counters(client: Redis): Promise<number[]> {
  const info = (await client.call('INFO', 'ALL')) as string;
  const values = ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'].map((name) =>
    Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1]),
  );
  expect(values.every(Number.isInteger), info).toBe(true);
  return values;
}

describe('command table entries', () => {
  it('match COMMAND INFO and COMMAND DOCS of Redis 7.0', async () => {
    for (const spec of bitopsCommands) {
      const [info] = (await realClient.call('COMMAND', 'INFO', spec.name)) as unknown[][];
      const [name, arity, flags, first, last, step, acl] = info!;
      expect(spec.name).toBe(name);
      expect(spec.arity, spec.name).toBe(Number(arity));
      expect(spec.flags, spec.name).toEqual(flags);
      expect(spec.keys, spec.name).toEqual({ first: Number(first), last: Number(last), step: Number(step) });
      expect(spec.acl.map((category) => `@${category}`), spec.name).toEqual(acl);
      const docs = (await realClient.call('COMMAND', 'DOCS', spec.name)) as unknown[];
      const fields = docs[1] as string[];
      const field = (key: string): string => fields[fields.indexOf(key) + 1]!;
      expect(spec.summary, spec.name).toBe(field('summary'));
      expect(spec.since, spec.name).toBe(field('since'));
      expect(spec.group, spec.name).toBe(field('group'));
      expect(spec.complexity, spec.name).toBe(field('complexity'));
    }
  });
});

describe('SETBIT and GETBIT', () => {
  it('set, clear and read bits, growing the string with zeros', async () => {
    await sameAll([
      ['SETBIT', 'sb', '7', '1'],
      ['SETBIT', 'sb', '7', '1'],
      ['GET', 'sb'],
      ['SETBIT', 'sb', '7', '0'],
      ['SETBIT', 'sb', '0', '1'],
      ['SETBIT', 'sb', '100', '1'],
      ['GET', 'sb'],
      ['GETBIT', 'sb', '100'],
      ['GETBIT', 'sb', '99'],
      ['GETBIT', 'sb', '0'],
      ['GETBIT', 'sb', '1000000'],
      ['GETBIT', 'sb:missing', '5'],
      ['SETBIT', 'sb:zero', '20', '0'],
      ['GET', 'sb:zero'],
      ['SET', 'sb:int', '12'],
      ['GETBIT', 'sb:int', '2'],
      ['SETBIT', 'sb:int', '6', '1'],
      ['GET', 'sb:int'],
    ]);
  });

  it('reject bad offsets and values with Redis\' errors, before looking at the key', async () => {
    await sameAll([
      ['SETBIT', 'sb', '-1', '1'],
      ['SETBIT', 'sb', '4294967296', '1'],
      ['SETBIT', 'sb', '9223372036854775808', '1'],
      ['SETBIT', 'sb', 'a', '1'],
      ['SETBIT', 'sb', '1.5', '1'],
      ['SETBIT', 'sb', ' 1', '1'],
      ['SETBIT', 'sb', '1', '2'],
      ['SETBIT', 'sb', '1', '-1'],
      ['SETBIT', 'sb', '1', 'a'],
      ['SETBIT', 'sb', '1', '01'],
      ['SETBIT', 'sb', '1', ''],
      ['GETBIT', 'sb', '-1'],
      ['GETBIT', 'sb', '4294967296'],
      ['GETBIT', 'sb:missing', 'x'],
      ['SETBIT', 'sb', '1'],
      ['GETBIT', 'sb'],
      ['GETBIT', 'sb', '1', '2'],
    ]);
  });

  it('bound offsets by proto-max-bulk-len', async () => {
    await sameAll([
      ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'],
      ['SETBIT', 'sb:limit', '8388608', '1'],
      ['GETBIT', 'sb:limit', '8388608'],
      ['BITFIELD', 'sb:limit', 'GET', 'u8', '8388608'],
      ['BITFIELD', 'sb:limit', 'SET', 'u8', '#1048576', '1'],
      ['SETBIT', 'sb:limit', '8388607', '1'],
      ['BITCOUNT', 'sb:limit'],
      ['BITPOS', 'sb:limit', '1'],
      ['BITFIELD', 'sb:limit', 'INCRBY', 'u2', '8388606', '1'],
      ['BITCOUNT', 'sb:limit', '-1', '-1'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb'],
    ]);
  });
});

describe('BITCOUNT', () => {
  it('counts bits over byte and bit ranges with negative indexes', async () => {
    await same('SET', 'bc', 'foobar');
    await same('SET', 'bc:empty', '');
    await same('SET', 'bc:int', '1234567');
    const ranges = [
      [], ['0', '0'], ['1', '1'], ['0', '-1'], ['-2', '-1'], ['-1', '-2'], ['1', '0'], ['100', '200'],
      ['-100', '-50'], ['-100', '100'], ['0', '100', 'BYTE'], ['0', '100', 'byte'], ['5', '30', 'BIT'],
      ['0', '-1', 'bit'], ['-5', '-1', 'Bit'], ['7', '7', 'BIT'], ['8', '15', 'BIT'], ['3', '2', 'BIT'],
      ['-9223372036854775808', '9223372036854775807'], ['0', '-9223372036854775808', 'BIT'],
      ['-1', '-5', 'junk'],
    ];
    for (const key of ['bc', 'bc:empty', 'bc:int', 'bc:missing']) {
      for (const range of ranges) await same('BITCOUNT', key, ...range);
    }
  });

  it('counts long strings (several scratch chunks, odd lengths) exactly', async () => {
    let seed = 12345;
    const bytes = Buffer.alloc(200_003);
    for (let i = 0; i < bytes.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    await same('SET', 'bc:long', bytes.toString('latin1'));
    await same('SET', 'bc:ones', Buffer.alloc(70_001, 0xff).toString('latin1') + '\x7f');
    for (const range of [[], ['1', '-2'], ['3', '70000'], ['65530', '65545'], ['-131073', '-1'], ['13', '1600001', 'BIT'], ['65', '129', 'BIT']]) {
      await same('BITCOUNT', 'bc:long', ...range);
      await same('BITCOUNT', 'bc:ones', ...range);
    }
    for (const args of [['0'], ['1'], ['0', '5'], ['1', '70000'], ['0', '0', '-2'], ['0', '70000', '-1'], ['0', '8', '560007', 'BIT']]) {
      await same('BITPOS', 'bc:ones', ...args);
      await same('BITPOS', 'bc:long', ...args);
    }
  });

  it('answers syntax and integer errors as Redis 7.0 does (after the key lookup)', async () => {
    await sameAll([
      ['BITCOUNT', 'bc', '1'],
      ['BITCOUNT', 'bc', 'a', 'b'],
      ['BITCOUNT', 'bc', '1', 'b'],
      ['BITCOUNT', 'bc', '1', '2', 'foo'],
      ['BITCOUNT', 'bc', '1', '2', 'BIT', 'x'],
      ['BITCOUNT', 'bc', '9223372036854775808', '1'],
      ['BITCOUNT', 'bc:missing', 'a', 'b'],
      ['BITCOUNT', 'bc:missing', '1'],
      ['BITCOUNT'],
    ]);
  });
});

describe('BITPOS', () => {
  it('finds set and clear bits with the "end given" rule for clear bits', async () => {
    await same('SET', 'bp', '\xff\xf0\x00');
    await same('SET', 'bp:ones', '\xff\xff');
    await same('SET', 'bp:zeros', '\x00\x00');
    await same('SET', 'bp:empty', '');
    await same('SET', 'bp:int', '12');
    const ranges = [
      [], ['0'], ['1'], ['2'], ['-1'], ['20'], ['0', '0'], ['0', '-1'], ['1', '1'], ['2', '1'], ['-2', '-1'],
      ['0', '7', 'BIT'], ['3', '11', 'bit'], ['12', '12', 'BIT'], ['7', '15', 'BIT'], ['-3', '-1', 'BIT'],
      ['8', '8', 'BIT'], ['0', '100', 'BYTE'], ['5', '4', 'BIT'], ['-100', '100', 'BIT'], ['1', '-9223372036854775808'],
    ];
    for (const key of ['bp', 'bp:ones', 'bp:zeros', 'bp:empty', 'bp:int', 'bp:missing']) {
      for (const bit of ['0', '1']) {
        for (const range of ranges) await same('BITPOS', key, bit, ...range);
      }
    }
  });

  it('checks the bit first, then the key, then the range', async () => {
    await sameAll([
      ['BITPOS', 'bp', '2'],
      ['BITPOS', 'bp', '-1'],
      ['BITPOS', 'bp', 'a'],
      ['BITPOS', 'bp:missing', '2'],
      ['BITPOS', 'bp:missing', '1', 'a', 'b', 'c', 'd'],
      ['BITPOS', 'bp', '0', 'a'],
      ['BITPOS', 'bp', '0', '0', 'a'],
      ['BITPOS', 'bp', '0', '0', '1', 'foo'],
      ['BITPOS', 'bp', '0', '0', 'a', 'foo'],
      ['BITPOS', 'bp', '0', 'a', '1', 'BIT'],
      ['BITPOS', 'bp', '0', '1', '2', 'BIT', 'x'],
      ['BITPOS', 'bp'],
    ]);
  });
});

describe('BITOP', () => {
  it('computes AND, OR, XOR and NOT over strings of different lengths', async () => {
    await same('SET', 'bo:a', 'abc');
    await same('SET', 'bo:b', '\x0f\xf0');
    await same('SET', 'bo:e', '');
    for (const op of ['AND', 'or', 'Xor']) {
      for (const sources of [['bo:a', 'bo:b'], ['bo:b', 'bo:a'], ['bo:a', 'bo:missing'], ['bo:a', 'bo:a', 'bo:b'], ['bo:e', 'bo:b'], ['bo:a']]) {
        await same('BITOP', op, 'bo:d', ...sources);
        await same('GET', 'bo:d');
      }
    }
    await sameAll([
      ['BITOP', 'NOT', 'bo:d', 'bo:a'],
      ['GET', 'bo:d'],
      ['BITOP', 'not', 'bo:d', 'bo:b'],
      ['GET', 'bo:d'],
      ['BITOP', 'XOR', 'bo:self', 'bo:a'],
      ['BITOP', 'XOR', 'bo:self', 'bo:self', 'bo:b'],
      ['GET', 'bo:self'],
    ]);
  });

  it('deletes the destination when the result is empty', async () => {
    await sameAll([
      ['SET', 'bo:d', 'x'],
      ['BITOP', 'OR', 'bo:d', 'bo:missing', 'bo:missing2'],
      ['GET', 'bo:d'],
      ['SET', 'bo:d', 'x'],
      ['BITOP', 'AND', 'bo:d', 'bo:e'],
      ['GET', 'bo:d'],
      ['BITOP', 'NOT', 'bo:d', 'bo:e'],
      ['GET', 'bo:d'],
    ]);
  });

  it('reports Redis\' errors', async () => {
    await sameAll([
      ['BITOP', 'foo', 'bo:d', 'bo:a'],
      ['BITOP', 'NOT', 'bo:d', 'bo:a', 'bo:b'],
      ['BITOP', 'NOT', 'bo:d'],
      ['BITOP', 'AND', 'bo:d'],
      ['BITOP', 'AN', 'bo:d', 'bo:a'],
    ]);
  });
});

describe('BITFIELD', () => {
  it('gets, sets and increments signed and unsigned fields with every overflow mode', async () => {
    await sameAll([
      ['BITFIELD', 'bf', 'SET', 'i8', '0', '100', 'INCRBY', 'i8', '0', '100', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-200',
        'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-200', 'GET', 'i8', '0', 'GET', 'u4', '#1'],
      ['GET', 'bf'],
      ['BITFIELD', 'bf', 'SET', 'u8', '0', '256', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1',
        'SET', 'u8', '8', '300', 'OVERFLOW', 'fail', 'SET', 'u8', '16', '300', 'SET', 'i4', '24', '-9', 'overflow', 'wrap', 'set', 'i4', '24', '-9'],
      ['GET', 'bf'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'SET', 'i4', '0', '100', 'SET', 'i4', '0', '-100', 'GET', 'i4', '0',
        'INCRBY', 'u2', '5', '7', 'INCRBY', 'u2', '5', '-7'],
      ['BITFIELD', 'bf', 'SET', 'u1', '3', '1', 'GET', 'i1', '3', 'INCRBY', 'i1', '3', '1', 'INCRBY', 'u1', '3', '1'],
      ['GET', 'bf'],
    ]);
  });

  it('handles 32-, 33- and 64-bit fields at unaligned offsets', async () => {
    const max64 = '9223372036854775807';
    const min64 = '-9223372036854775808';
    await sameAll([
      ['BITFIELD', 'bw', 'SET', 'i64', '3', min64, 'GET', 'i64', '3', 'INCRBY', 'i64', '3', '-1', 'GET', 'u63', '4'],
      ['BITFIELD', 'bw', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '3', '1', 'INCRBY', 'i64', '3', max64, 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '3', '1'],
      ['BITFIELD', 'bw', 'SET', 'u63', '70', max64, 'INCRBY', 'u63', '70', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '70', min64,
        'SET', 'u63', '70', '-5', 'OVERFLOW', 'WRAP', 'SET', 'u63', '70', '-5', 'GET', 'u63', '70'],
      ['BITFIELD', 'bw', 'SET', 'u32', '5', '4294967295', 'INCRBY', 'u32', '5', '1', 'SET', 'i32', '40', '-2147483648', 'INCRBY', 'i32', '40', '-1',
        'SET', 'u33', '77', '8589934591', 'INCRBY', 'u33', '77', '2', 'SET', 'i33', '1', '-4294967296', 'INCRBY', 'i33', '1', '-1'],
      ['BITFIELD', 'bw', 'INCRBY', 'u8', '0', max64, 'INCRBY', 'i8', '0', min64, 'INCRBY', 'u31', '9', '9007199254740993',
        'INCRBY', 'i16', '2', '-9007199254740993', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', max64, 'INCRBY', 'i8', '0', min64],
      // Redis' int64 arithmetic wraps for SETs far below a narrow field's range: SAT stores the maximum.
      ['BITFIELD', 'bw', 'OVERFLOW', 'SAT', 'SET', 'i1', '0', min64, 'GET', 'i1', '0', 'SET', 'i2', '0', min64, 'GET', 'i2', '0',
        'SET', 'i40', '0', '-9223372036854775807', 'GET', 'i40', '0', 'SET', 'i40', '0', '-9223372036304775807', 'GET', 'i40', '0',
        'SET', 'i8', '0', '-9223372036854775681', 'GET', 'i8', '0', 'SET', 'i8', '0', '-9223372036854775680', 'GET', 'i8', '0',
        'SET', 'i64', '0', min64, 'GET', 'i64', '0', 'SET', 'u8', '0', min64, 'GET', 'u8', '0'],
      ['BITFIELD', 'bw', 'SET', 'i40', '#3', '-549755813888', 'INCRBY', 'i40', '#3', '12345678901', 'GET', 'u40', '#3', 'GET', 'i48', '#2'],
      ['GET', 'bw'],
    ]);
  });

  it('reads past the end of the string as zeros and creates or grows keys on writes', async () => {
    await sameAll([
      ['SET', 'bg', '\xab'],
      ['BITFIELD', 'bg', 'GET', 'u8', '4', 'GET', 'i64', '1', 'GET', 'u8', '800', 'GET', 'i8', '#100'],
      ['BITFIELD', 'bg:missing', 'GET', 'u8', '0'],
      ['GET', 'bg:missing'],
      ['BITFIELD', 'bg'],
      ['BITFIELD', 'bg:missing'],
      ['BITFIELD', 'bg:fail', 'OVERFLOW', 'FAIL', 'SET', 'u8', '16', '-1'],
      ['GET', 'bg:fail'],
      ['BITFIELD', 'bg', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '30', '100'],
      ['GET', 'bg'],
      ['BITFIELD', 'bg', 'OVERFLOW', 'SAT'],
      ['SET', 'bg:int', '255'],
      ['BITFIELD', 'bg:int', 'GET', 'u8', '0', 'INCRBY', 'u8', '8', '1'],
      ['GET', 'bg:int'],
    ]);
  });

  it('reports every parsing error before running anything', async () => {
    await sameAll([
      ['SET', 'be', 'x'],
      ['BITFIELD', 'be', 'GET'],
      ['BITFIELD', 'be', 'GET', 'i8'],
      ['BITFIELD', 'be', 'SET', 'u8', '0'],
      ['BITFIELD', 'be', 'INCRBY', 'u8', '0'],
      ['BITFIELD', 'be', 'FOO', 'u8', '0'],
      ['BITFIELD', 'be', 'OVERFLOW'],
      ['BITFIELD', 'be', 'OVERFLOW', 'foo', 'GET', 'i8', '0'],
      ['BITFIELD', 'be', 'GET', 'I8', '0'],
      ['BITFIELD', 'be', 'GET', 'u64', '0'],
      ['BITFIELD', 'be', 'GET', 'i65', '0'],
      ['BITFIELD', 'be', 'GET', 'i0', '0'],
      ['BITFIELD', 'be', 'GET', 'u', '0'],
      ['BITFIELD', 'be', 'GET', 'i08', '0'],
      ['BITFIELD', 'be', 'GET', 'i-8', '0'],
      ['BITFIELD', 'be', 'GET', '', '0'],
      ['BITFIELD', 'be', 'GET', 'i8', '-1'],
      ['BITFIELD', 'be', 'GET', 'i8', '#-1'],
      ['BITFIELD', 'be', 'GET', 'i8', '#+1'],
      ['BITFIELD', 'be', 'GET', 'i8', '# 1'],
      ['BITFIELD', 'be', 'GET', 'i8', '#'],
      ['BITFIELD', 'be', 'GET', 'i8', '##1'],
      ['BITFIELD', 'be', 'GET', 'u8', '#536870911'],
      ['BITFIELD', 'be', 'GET', 'u8', '#536870912'],
      ['BITFIELD', 'be', 'GET', 'i64', '#9223372036854775807'],
      ['BITFIELD', 'be', 'GET', 'i8', '4294967296'],
      ['BITFIELD', 'be', 'SET', 'i8', '0', 'a'],
      ['BITFIELD', 'be', 'INCRBY', 'i8', '0', '99999999999999999999'],
      ['BITFIELD', 'be', 'SET', 'i8', '0', '1', 'GET', 'x8', '0'],
      ['GET', 'be'],
      ['BITFIELD'],
    ]);
  });

  it('BITFIELD_RO allows GET only', async () => {
    await sameAll([
      ['SET', 'br', 'hello'],
      ['BITFIELD_RO', 'br', 'GET', 'u8', '0', 'GET', 'i4', '#3', 'GET', 'u16', '100'],
      ['BITFIELD_RO', 'br'],
      ['BITFIELD_RO', 'br', 'OVERFLOW', 'SAT'],
      ['BITFIELD_RO', 'br', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'br:missing', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD_RO', 'br', 'GET', 'u8', '0', 'foo'],
      ['BITFIELD_RO', 'br', 'GET', 'u64', '0'],
      ['BITFIELD_RO', 'br:missing', 'GET', 'u8', '0'],
      ['GET', 'br'],
      ['BITFIELD_RO'],
    ]);
  });
});

describe('wire bytes', () => {
  it('are identical in RESP2 and RESP3, including the null of OVERFLOW FAIL', async () => {
    const script =
      'SET rw 12\r\nBITFIELD rw OVERFLOW FAIL INCRBY u2 0 9 SET i64 0 -1 GET u63 1 GET i64 0\r\n' +
      'BITFIELD_RO rw GET u8 0\r\nBITFIELD rw\r\nBITCOUNT rw\r\nBITPOS rw 0 0 -1\r\nBITOP XOR rw:d rw\r\n';
    const transcripts: string[][] = [];
    for (const server of [ours, real]) {
      const client = await RawClient.connect(server.port);
      const transcript: string[] = [];
      for (const protocol of ['2', '3']) {
        await client.roundTrip(`HELLO ${protocol}\r\n`);
        transcript.push(await client.roundTrip(script));
      }
      client.close();
      transcripts.push(transcript);
    }
    expect(transcripts[0]).toEqual(transcripts[1]);
    expect(transcripts[0]![1]).toContain('_\r\n');
  });
});

describe('side effects', () => {
  it('store edited strings as raw, as DEBUG OBJECT shows', async () => {
    const encoding = async (client: Redis, key: string): Promise<string | undefined> =>
      /encoding:(\w+)/.exec((await client.call('DEBUG', 'OBJECT', key)) as string)?.[1];
    for (const commands of [
      [['SETBIT', 'se:1', '7', '1']],
      [['SET', 'se:2', 'ab'], ['SETBIT', 'se:2', '0', '0']],
      [['SET', 'se:3', 'ab'], ['BITOP', 'AND', 'se:3d', 'se:3']],
      [['BITFIELD', 'se:4', 'SET', 'u8', '0', '1']],
      [['SET', 'se:5', 'abc'], ['BITFIELD', 'se:5', 'GET', 'u8', '0']],
      [['SET', 'se:6', '1234567'], ['BITFIELD', 'se:6', 'GET', 'u8', '0']],
      [['SET', 'se:7', '1234567'], ['BITCOUNT', 'se:7'], ['GETBIT', 'se:7', '3'], ['BITPOS', 'se:7', '1']],
      [['SET', 'se:8', '12'], ['SETBIT', 'se:8', '0', '0']],
      [['SET', 'se:9', '12'], ['BITFIELD', 'se:9', 'OVERFLOW', 'FAIL', 'INCRBY', 'u1', '0', '5']],
    ]) {
      await sameAll(commands);
      const key = commands.at(-1)![0] === 'BITOP' ? commands.at(-1)![2]! : commands.at(-1)![1]!;
      expect(await encoding(oursClient, key), key).toBe(await encoding(realClient, key));
    }
  });

  it('count changes, hits and misses as Redis 7.0.15 does (unchanged SETBIT none, BITFIELD one per write done)', async () => {
    const commands = [
      ['SETBIT', 'sd', '0', '0'],
      ['SETBIT', 'sd', '0', '0'],
      ['SETBIT', 'sd', '20', '0'],
      ['SETBIT', 'sd', '3', '1'],
      ['BITFIELD', 'sd:f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '100'],
      ['BITFIELD', 'sd', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '1', 'INCRBY', 'u2', '0', '1', 'INCRBY', 'u2', '0', '9', 'SET', 'u2', '0', '1'],
      ['BITFIELD', 'sd', 'GET', 'u2', '0'],
      ['BITOP', 'AND', 'sd:none', 'sd:missing'],
      ['BITOP', 'AND', 'sd:copy', 'sd'],
      ['BITOP', 'AND', 'sd:copy', 'sd:missing'],
      ['BITOP', 'OR', 'sd:copy', 'sd', 'sd:missing', 'sd:f'],
      ['GETBIT', 'sd', '1'],
      ['GETBIT', 'sd:missing', '1'],
      ['BITCOUNT', 'sd'],
      ['BITCOUNT', 'sd:missing'],
      ['BITPOS', 'sd', '1'],
      ['BITPOS', 'sd:missing', '1'],
      ['BITFIELD', 'sd:missing', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'sd', 'GET', 'u8', '0'],
      ['BITFIELD', 'sd:new', 'SET', 'u8', '0', '1'],
      ['SETBIT', 'sd:new2', '1', '1'],
    ];
    for (const command of commands) {
      const [oursBefore, realBefore] = await Promise.all([counters(oursClient), counters(realClient)]);
      await same(...command);
      const [oursAfter, realAfter] = await Promise.all([counters(oursClient), counters(realClient)]);
      const delta = (after: number[], before: number[]): number[] => after.map((value, i) => value - before[i]!);
      expect(delta(oursAfter, oursBefore), command.join(' ')).toEqual(delta(realAfter, realBefore));
    }
  });

  it('keep the TTL of an edited key; BITOP replaces the destination like SET', async (context) => {
    if (!(await oursKnows('PEXPIRE')) || !(await oursKnows('TTL'))) context.skip('PEXPIRE/TTL are not in our command table yet');
    await sameAll([
      ['SET', 'st', 'ab'],
      ['PEXPIRE', 'st', '100000'],
      ['SETBIT', 'st', '30', '1'],
      ['TTL', 'st'],
      ['BITFIELD', 'st', 'INCRBY', 'u8', '0', '1'],
      ['TTL', 'st'],
      ['BITOP', 'OR', 'st', 'st'],
      ['TTL', 'st'],
      ['SETBIT', 'st:new', '1', '1'],
      ['TTL', 'st:new'],
    ]);
  });

  it('answer WRONGTYPE for keys holding other types', async () => {
    await same('RPUSH', 'wt', 'v');
    await sameAll([
      ['SETBIT', 'wt', '1', '1'],
      ['SETBIT', 'wt', 'a', '1'],
      ['GETBIT', 'wt', '1'],
      ['GETBIT', 'wt', 'a'],
      ['BITCOUNT', 'wt'],
      ['BITCOUNT', 'wt', '1'],
      ['BITPOS', 'wt', '1'],
      ['BITPOS', 'wt', '2'],
      ['BITOP', 'AND', 'wt:d', 'wt'],
      ['BITOP', 'NOT', 'wt:d', 'wt'],
      ['BITOP', 'AND', 'wt', 'wt:missing'],
      ['GET', 'wt'],
      ['BITFIELD', 'wt', 'GET', 'u8', '0'],
      ['BITFIELD', 'wt'],
      ['BITFIELD', 'wt', 'SET', 'u8', '0', '1'],
      ['BITFIELD', 'wt', 'GET', 'x8', '0'],
      ['BITFIELD_RO', 'wt', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'wt', 'SET', 'u8', '0', '1'],
    ]);
  });
});

describe('random sequences (fast-check) against real Redis', () => {
  const byteString = fc
    .oneof(fc.uint8Array({ maxLength: 10 }), fc.uint8Array({ minLength: 60, maxLength: 300 }))
    .map((bytes) => Buffer.from(bytes).toString('latin1'));
  const offset = fc.oneof(fc.nat(90).map(String), fc.nat(12).map((n) => `#${n}`));
  const fieldType = fc.oneof(
    fc.integer({ min: 1, max: 64 }).map((bits) => `i${bits}`),
    fc.integer({ min: 1, max: 63 }).map((bits) => `u${bits}`),
  );
  const int64 = fc.oneof(
    fc.integer({ min: -300, max: 300 }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, -(2n ** 31n), 2n ** 53n + 1n),
  ).map(String);
  const index = fc.oneof(fc.integer({ min: -30, max: 30 }), fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n)).map(String);
  const unit = fc.constantFrom('BYTE', 'BIT', 'bit', 'Byte');
  const range = fc.oneof(
    fc.constant([] as string[]),
    fc.tuple(index).map((r) => [...r]),
    fc.tuple(index, index).map((r) => [...r]),
    fc.tuple(index, index, unit).map((r) => [...r]),
  );
  const fieldOp = fc.oneof(
    fc.tuple(fc.constant('GET'), fieldType, offset).map((op) => [...op]),
    fc.tuple(fc.constantFrom('SET', 'INCRBY'), fieldType, offset, int64).map((op) => [...op]),
    fc.tuple(fc.constant('OVERFLOW'), fc.constantFrom('WRAP', 'SAT', 'FAIL')).map((op) => [...op]),
  );
  const keyIndex = fc.nat(2);
  const command = fc.oneof(
    fc.tuple(keyIndex, byteString).map(([k, value]) => ({ keys: [k], args: ['SET', '$0', value] })),
    fc.tuple(keyIndex, fc.nat(100), fc.constantFrom('0', '1')).map(([k, at, bit]) => ({ keys: [k], args: ['SETBIT', '$0', String(at), bit] })),
    fc.tuple(keyIndex, fc.nat(12), byteString).map(([k, at, value]) => ({ keys: [k], args: ['SETRANGE', '$0', String(at), value] })),
    fc.tuple(keyIndex, byteString).map(([k, value]) => ({ keys: [k], args: ['APPEND', '$0', value] })),
    // Whole bytes written through BITFIELD at byte offsets, as SETRANGE would.
    fc.tuple(keyIndex, fc.nat(12), fc.integer({ min: 0, max: 255 })).map(([k, at, byte]) => ({
      keys: [k],
      args: ['BITFIELD', '$0', 'SET', 'u8', `#${at}`, String(byte)],
    })),
    fc.tuple(keyIndex, fc.array(fieldOp, { maxLength: 5 })).map(([k, ops]) => ({ keys: [k], args: ['BITFIELD', '$0', ...ops.flat()] })),
    fc.tuple(fc.constantFrom('AND', 'OR', 'XOR'), keyIndex, fc.array(keyIndex, { minLength: 1, maxLength: 3 })).map(([op, dest, sources]) => ({
      keys: [dest, ...sources],
      args: ['BITOP', op, ...[dest, ...sources].map((_, i) => `$${i}`)],
    })),
    fc.tuple(keyIndex, keyIndex).map(([dest, source]) => ({ keys: [dest, source], args: ['BITOP', 'NOT', '$0', '$1'] })),
    fc.tuple(keyIndex, range).map(([k, r]) => ({ keys: [k], args: ['BITCOUNT', '$0', ...r] })),
    fc.tuple(keyIndex, fc.constantFrom('0', '1'), range).map(([k, bit, r]) => ({ keys: [k], args: ['BITPOS', '$0', bit, ...r] })),
    fc.tuple(keyIndex, fc.nat(100)).map(([k, at]) => ({ keys: [k], args: ['GETBIT', '$0', String(at)] })),
    fc.tuple(keyIndex, fc.array(fc.tuple(fieldType, offset), { maxLength: 4 })).map(([k, gets]) => ({
      keys: [k],
      args: ['BITFIELD_RO', '$0', ...gets.flatMap(([type, at]) => ['GET', type, at])],
    })),
    fc.tuple(keyIndex).map(([k]) => ({ keys: [k], args: ['GET', '$0'] })),
  );

  it('give the same replies and leave the same strings', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        // Fresh keys per run: every run starts from an empty keyspace on both sides.
        const names = [0, 1, 2].map((k) => `fc:${run}:${k}`);
        run++;
        for (const { keys, args } of commands) {
          const resolved = args.map((arg) => (/^\$\d$/.test(arg) ? names[keys[Number(arg[1])]!]! : arg));
          const [mine, theirs] = await Promise.all([send(oursClient, resolved), send(realClient, resolved)]);
          expect(mine, resolved.join(' ')).toEqual(theirs);
        }
        for (const name of names) {
          const [mine, theirs] = await Promise.all([send(oursClient, ['GET', name]), send(realClient, ['GET', name])]);
          expect(mine, `GET ${name} at the end`).toEqual(theirs);
        }
      }),
      { numRuns: 300, interruptAfterTimeLimit: 40_000 },
    );
  });
});
