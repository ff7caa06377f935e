import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, startServer, type RunningServer } from '../helpers/servers.js';

// CLIENT and its subcommands against a real redis-server 7.0: error texts and reply bytes equal,
// CLIENT LIST / INFO lines with the same fields in the same order holding this client's true state.

let ours: RunningServer;
let redis: RunningServer;

beforeAll(async () => {
  [ours, redis] = await Promise.all([startServer(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([ours, redis].map((server) => server?.stop()));
});

function request(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

/** Sends the commands pipelined on a fresh connection; returns what came back before a quiet spell. */
async function exchange(port: number, commands: string[][]): Promise<string> {
  const client = await RawClient.connect(port);
  try {
    return await client.roundTrip(commands.map((args) => request(...args)).join(''));
  } finally {
    client.close();
  }
}

async function expectSameAsRedis(commands: string[][], normalise: (text: string) => string = (text) => text): Promise<string> {
  const [mine, theirs] = await Promise.all([exchange(ours.port, commands), exchange(redis.port, commands)]);
  expect(normalise(mine)).toBe(normalise(theirs));
  return mine;
}

/** One connection kept open, answering one command at a time. */
class Connection {
  private constructor(readonly raw: RawClient) {}

  static async open(port: number): Promise<Connection> {
    return new Connection(await RawClient.connect(port));
  }

  /** Sends one command and returns its reply, read whole (bulk and verbatim lengths honoured). */
  async call(...args: string[]): Promise<string> {
    this.raw.send(request(...args));
    const head = await this.raw.readUntil((text) => text.includes('\r\n'));
    const match = /^([$=])(\d+)\r\n/.exec(head);
    if (match === null) return head;
    const total = match[0].length + Number(match[2]) + 2;
    return head.length >= total ? head : head + (await this.raw.read(total - head.length));
  }

  close(): void {
    this.raw.close();
  }
}

/** The text of a bulk or verbatim reply. */
function payload(reply: string): string {
  const match = /^(?:\$|=)\d+\r\n(?:txt:)?([\s\S]*)\r\n$/.exec(reply);
  if (match === null) throw new Error(`not a bulk reply: ${JSON.stringify(reply)}`);
  return match[1]!;
}

function fields(line: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of line.trim().split(' ')) {
    const at = pair.indexOf('=');
    map.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return map;
}

/** Redis 7.0.15's fields (plus the lib-name and lib-ver fields 7.2 adds) in its order. */
const FIELD_ORDER =
  'id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp';

describe('CLIENT ID, SETNAME, GETNAME, GETREDIR, HELP', () => {
  it('answer and fail like Redis', async () => {
    await expectSameAsRedis(
      [
        ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME', 'worker-1'],
        ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME', 'a b'],
        ['CLIENT', 'SETNAME', 'new\nline'],
        ['CLIENT', 'SETNAME', 'caf\xe9'],
        ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME', ''],
        ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME'],
        ['CLIENT', 'GETNAME', 'extra'],
        ['CLIENT', 'GETREDIR'],
        ['CLIENT', 'ID', 'extra'],
        ['CLIENT'],
        ['CLIENT', 'NOSUCH'],
        ['client', 'help'],
        ['CLIENT', 'HELP', 'extra'],
      ],
    );
  });

  it('CLIENT ID is the id CLIENT LIST and HELLO show', async () => {
    const connection = await Connection.open(ours.port);
    try {
      const id = /^:(\d+)\r\n$/.exec(await connection.call('CLIENT', 'ID'))![1]!;
      expect(fields(payload(await connection.call('CLIENT', 'INFO'))).get('id')).toBe(id);
      expect(await connection.call('HELLO')).toContain(`$2\r\nid\r\n:${id}\r\n`);
    } finally {
      connection.close();
    }
  });

  it('RESP3: GETNAME of no name is null, CLIENT INFO and LIST are verbatim text', async () => {
    const shape = (text: string): string => text.replace(/=\d+\r\ntxt:[^\r]*\r\n/g, '=N\r\ntxt:LINE\r\n').replace(/:\d+\r\n\$4\r\nmode/, ':ID\r\n$4\r\nmode');
    const bytes = await expectSameAsRedis(
      [['HELLO', '3'], ['CLIENT', 'GETNAME'], ['CLIENT', 'INFO'], ['CLIENT', 'LIST', 'ID', '999999'], ['CLIENT', 'LIST', 'ID', 'x']],
      shape,
    );
    expect(bytes).toContain('=4\r\ntxt:\r\n-ERR Invalid client ID\r\n');
  });
});

describe('CLIENT LIST and CLIENT INFO', () => {
  it('have Redis 7.0 fields in Redis order, then lib-name and lib-ver', async () => {
    const [mine, theirs] = await Promise.all([exchange(ours.port, [['CLIENT', 'INFO']]), exchange(redis.port, [['CLIENT', 'INFO']])]);
    const names = (reply: string): string => [...fields(payload(reply)).keys()].join(' ');
    expect(names(theirs)).toBe(FIELD_ORDER);
    expect(names(mine)).toBe(`${FIELD_ORDER} lib-name lib-ver`);
    expect(payload(mine).endsWith('\n')).toBe(true);
  });

  it('hold the session state: name, db, resp, cmd, user, lib info, fd, addresses', async () => {
    const connection = await Connection.open(ours.port);
    try {
      await connection.call('CLIENT', 'SETNAME', 'inspected');
      await connection.call('SELECT', '5');
      await connection.call('CLIENT', 'SETINFO', 'LIB-NAME', 'test-lib');
      await connection.call('CLIENT', 'SETINFO', 'lib-ver', '1.2.3');
      await connection.call('HELLO', '3');
      await connection.call('GET', 'client-test-missing');
      const self = fields(payload(await connection.call('CLIENT', 'INFO')));
      expect(self.get('name')).toBe('inspected');
      expect(self.get('db')).toBe('5');
      expect(self.get('resp')).toBe('3');
      expect(self.get('cmd')).toBe('client|info');
      expect(self.get('flags')).toBe('N');
      expect(self.get('user')).toBe('default');
      expect(self.get('lib-name')).toBe('test-lib');
      expect(self.get('lib-ver')).toBe('1.2.3');
      expect(self.get('argv-mem')).toBe('10');
      expect(self.get('laddr')).toBe(`127.0.0.1:${ours.port}`);
      expect(self.get('addr')).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(Number(self.get('fd'))).toBeGreaterThan(2);

      const observer = await Connection.open(ours.port);
      try {
        const list = payload(await observer.call('CLIENT', 'LIST'));
        const lines = list.split('\n');
        expect(lines.pop()).toBe('');
        const seen = lines.map(fields).find((line) => line.get('id') === self.get('id'))!;
        // Seen from another client, the last command is the one it ran before.
        expect(seen.get('cmd')).toBe('client|info');
        expect(seen.get('argv-mem')).toBe('0');
        expect(seen.get('fd')).toBe(self.get('fd'));
        expect(seen.get('addr')).toBe(self.get('addr'));
        const me = lines.map(fields).find((line) => line.get('cmd') === 'client|list')!;
        expect(me.get('fd')).not.toBe(self.get('fd'));
      } finally {
        observer.close();
      }
    } finally {
      connection.close();
    }
  });

  it('age and idle count seconds on the server clock', async () => {
    const idle = await Connection.open(ours.port);
    const observer = await Connection.open(ours.port);
    try {
      const id = payload(await idle.call('CLIENT', 'INFO')).match(/^id=(\d+)/)![1]!;
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const seen = fields(payload(await observer.call('CLIENT', 'LIST', 'ID', id)));
      expect(Number(seen.get('age'))).toBeGreaterThanOrEqual(2);
      expect(Number(seen.get('idle'))).toBeGreaterThanOrEqual(2);
      await idle.call('PING');
      const after = fields(payload(await observer.call('CLIENT', 'LIST', 'ID', id)));
      expect(after.get('idle')).toBe('0');
      expect(Number(after.get('age'))).toBeGreaterThanOrEqual(2);
    } finally {
      idle.close();
      observer.close();
    }
  });

  it('qbuf shows a request still arriving', async () => {
    const partial = await Connection.open(ours.port);
    const observer = await Connection.open(ours.port);
    try {
      const id = /^:(\d+)/.exec(await partial.call('CLIENT', 'ID'))![1]!;
      partial.raw.send('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nhal');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen = fields(payload(await observer.call('CLIENT', 'LIST', 'ID', id)));
      expect(Number(seen.get('qbuf'))).toBeGreaterThan(0);
      expect(seen.get('cmd')).toBe('client|id');
    } finally {
      partial.close();
      observer.close();
    }
  });

  it('filters by TYPE and ID and rejects what Redis rejects', async () => {
    const lineCount = (reply: string): string => String(payload(reply).split('\n').length - 1);
    const connection = await Connection.open(ours.port);
    const other = await Connection.open(ours.port);
    try {
      const myId = /^:(\d+)/.exec(await connection.call('CLIENT', 'ID'))![1]!;
      const otherId = /^:(\d+)/.exec(await other.call('CLIENT', 'ID'))![1]!;
      expect(lineCount(await connection.call('CLIENT', 'LIST', 'ID', myId, otherId, myId, '999999'))).toBe('3');
      const normal = payload(await connection.call('CLIENT', 'LIST', 'TYPE', 'Normal'));
      expect(normal).toContain(`id=${myId} `);
      expect(normal).toContain(`id=${otherId} `);
      expect(await connection.call('CLIENT', 'LIST', 'TYPE', 'replica')).toBe('$0\r\n\r\n');
      expect(await connection.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('$0\r\n\r\n');
    } finally {
      connection.close();
      other.close();
    }
    await expectSameAsRedis([
      ['CLIENT', 'LIST', 'TYPE', 'master'],
      ['CLIENT', 'LIST', 'TYPE', 'slave'],
      ['CLIENT', 'LIST', 'TYPE', 'nope'],
      ['CLIENT', 'LIST', 'TYPE'],
      ['CLIENT', 'LIST', 'ID'],
      ['CLIENT', 'LIST', 'ID', '1', 'x'],
      ['CLIENT', 'LIST', 'nope'],
      ['CLIENT', 'LIST', 'TYPE', 'normal', 'extra'],
      ['CLIENT', 'INFO', 'extra'],
    ]);
  });
});

describe('CLIENT KILL', () => {
  it('rejects what Redis rejects, with the same texts', async () => {
    await expectSameAsRedis([
      ['CLIENT', 'KILL'],
      ['CLIENT', 'KILL', '10.0.0.1:1'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ID', '-5'],
      ['CLIENT', 'KILL', 'ID', 'abc'],
      ['CLIENT', 'KILL', 'ID', '999999'],
      ['CLIENT', 'KILL', 'USER', 'bob'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'TYPE', 'nope'],
      ['CLIENT', 'KILL', 'ID', '5', 'SKIPME'],
      ['CLIENT', 'KILL', 'NOSUCH', 'x'],
      ['CLIENT', 'KILL', 'ADDR', '10.0.0.1:1', 'LADDR', '10.0.0.1:2'],
      ['CLIENT', 'KILL', 'TYPE', 'replica'],
      ['CLIENT', 'KILL', 'TYPE', 'normal'],
      ['CLIENT', 'KILL', 'USER', 'default'],
      ['PING'],
    ]);
  });

  it('old form ip:port kills that client and answers +OK', async () => {
    const victim = await Connection.open(ours.port);
    const killer = await Connection.open(ours.port);
    try {
      const addr = fields(payload(await victim.call('CLIENT', 'INFO'))).get('addr')!;
      expect(await killer.call('CLIENT', 'KILL', addr)).toBe('+OK\r\n');
      expect(await victim.raw.waitClosed(2000)).toBe(true);
      expect(await killer.call('CLIENT', 'KILL', addr)).toBe('-ERR No such client\r\n');
      // Gone from the list at once, not when the socket finishes closing.
      expect(payload(await killer.call('CLIENT', 'LIST'))).not.toContain(`addr=${addr} `);
    } finally {
      victim.close();
      killer.close();
    }
  });

  it('old form can kill the caller, which gets its +OK first', async () => {
    const [mine, theirs] = await Promise.all(
      [ours, redis].map(async (server) => {
        const client = await Connection.open(server.port);
        const addr = fields(payload(await client.call('CLIENT', 'INFO'))).get('addr')!;
        client.raw.send(request('CLIENT', 'KILL', addr) + request('PING'));
        const reply = await client.raw.readUntil(() => false, 1000);
        return { reply, closed: client.raw.isClosed };
      }),
    );
    expect(mine).toEqual(theirs);
    expect(mine).toEqual({ reply: '+OK\r\n', closed: true });
  });

  it('new form counts the clients it killed: ID, ADDR, LADDR, USER, TYPE', async () => {
    const killer = await Connection.open(ours.port);
    const victims = await Promise.all([1, 2, 3, 4].map(() => Connection.open(ours.port)));
    try {
      const info = await Promise.all(victims.map(async (victim) => fields(payload(await victim.call('CLIENT', 'INFO')))));
      expect(await killer.call('CLIENT', 'KILL', 'ID', info[0]!.get('id')!)).toBe(':1\r\n');
      expect(await victims[0]!.raw.waitClosed(2000)).toBe(true);
      expect(await killer.call('CLIENT', 'KILL', 'addr', info[1]!.get('addr')!, 'skipme', 'yes')).toBe(':1\r\n');
      expect(await victims[1]!.raw.waitClosed(2000)).toBe(true);
      expect(await killer.call('CLIENT', 'KILL', 'ID', info[2]!.get('id')!, 'LADDR', '10.9.9.9:1')).toBe(':0\r\n');
      expect(victims[2]!.raw.isClosed).toBe(false);
      expect(await killer.call('CLIENT', 'KILL', 'ID', info[2]!.get('id')!, 'LADDR', `127.0.0.1:${ours.port}`, 'USER', 'default', 'TYPE', 'normal')).toBe(':1\r\n');
      expect(await victims[2]!.raw.waitClosed(2000)).toBe(true);
      // The caller survives a kill of every normal client (SKIPME yes by default).
      const counted = await killer.call('CLIENT', 'KILL', 'TYPE', 'normal');
      expect(Number(/^:(\d+)/.exec(counted)![1])).toBeGreaterThanOrEqual(1);
      expect(await victims[3]!.raw.waitClosed(2000)).toBe(true);
      expect(await killer.call('PING')).toBe('+PONG\r\n');
    } finally {
      killer.close();
      for (const victim of victims) victim.close();
    }
  });

  it('SKIPME no kills the caller after its reply, and nothing pipelined after runs', async () => {
    const [mine, theirs] = await Promise.all(
      [ours, redis].map(async (server) => {
        const client = await Connection.open(server.port);
        const id = /^:(\d+)/.exec(await client.call('CLIENT', 'ID'))![1]!;
        client.raw.send(request('CLIENT', 'KILL', 'ID', id, 'SKIPME', 'no') + request('PING'));
        const reply = await client.raw.readUntil(() => false, 1000);
        return { reply, closed: client.raw.isClosed };
      }),
    );
    expect(mine).toEqual(theirs);
    expect(mine).toEqual({ reply: ':1\r\n', closed: true });
  });

  it('MAXAGE (Redis 7.4) kills only clients at least that old', async () => {
    const old = await Connection.open(ours.port);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const young = await Connection.open(ours.port);
    const killer = await Connection.open(ours.port);
    try {
      const oldId = /^:(\d+)/.exec(await old.call('CLIENT', 'ID'))![1]!;
      const youngId = /^:(\d+)/.exec(await young.call('CLIENT', 'ID'))![1]!;
      expect(await killer.call('CLIENT', 'KILL', 'ID', youngId, 'MAXAGE', '2')).toBe(':0\r\n');
      expect(await killer.call('CLIENT', 'KILL', 'ID', oldId, 'MAXAGE', '2')).toBe(':1\r\n');
      expect(await old.raw.waitClosed(2000)).toBe(true);
      expect(await killer.call('CLIENT', 'KILL', 'MAXAGE', '0')).toBe('-ERR maxage should be greater than 0\r\n');
      expect(await killer.call('CLIENT', 'KILL', 'MAXAGE', 'x')).toBe('-ERR maxage is not an integer or out of range\r\n');
      expect(young.raw.isClosed).toBe(false);
    } finally {
      old.close();
      young.close();
      killer.close();
    }
  });
});

describe('CLIENT REPLY', () => {
  it('OFF, SKIP and ON give exactly the bytes Redis gives', async () => {
    const sequences: string[][][] = [
      [['CLIENT', 'REPLY', 'OFF'], ['PING'], ['SET', 'client-reply-key', 'v'], ['NOSUCH'], ['CLIENT', 'REPLY', 'ON'], ['GET', 'client-reply-key']],
      [['CLIENT', 'REPLY', 'SKIP'], ['PING', 'skipped'], ['PING', 'shown']],
      [['CLIENT', 'REPLY', 'SKIP'], ['NOSUCH'], ['PING']],
      [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'a'], ['PING', 'b']],
      [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['PING']],
      [['CLIENT', 'REPLY', 'OFF'], ['CLIENT', 'REPLY', 'SKIP'], ['PING'], ['CLIENT', 'REPLY', 'ON'], ['PING']],
      [['CLIENT', 'REPLY', 'nope'], ['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'nope'], ['PING']],
      [['CLIENT', 'REPLY'], ['CLIENT', 'REPLY', 'ON', 'extra'], ['client', 'reply', 'on']],
    ];
    const results = [];
    for (const sequence of sequences) results.push(await expectSameAsRedis(sequence));
    expect(results[0]).toBe('+OK\r\n$1\r\nv\r\n');
    expect(results[1]).toBe('$5\r\nshown\r\n');
    expect(results[3]).toBe('$1\r\nb\r\n');
  });

  it('OFF holds across separate reads until ON', async () => {
    const connection = await Connection.open(ours.port);
    try {
      connection.raw.send(request('CLIENT', 'REPLY', 'OFF'));
      expect(await connection.raw.roundTrip(request('PING'))).toBe('');
      expect(await connection.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
      expect(await connection.call('PING')).toBe('+PONG\r\n');
    } finally {
      connection.close();
    }
  });
});

describe('CLIENT SETINFO (Redis 7.2)', () => {
  it('stores LIB-NAME and LIB-VER, empty clears, bad values and options fail', async () => {
    const connection = await Connection.open(ours.port);
    try {
      expect(await connection.call('CLIENT', 'SETINFO', 'LIB-NAME', 'redis-py')).toBe('+OK\r\n');
      expect(await connection.call('CLIENT', 'SETINFO', 'lib-ver', '5.0.1')).toBe('+OK\r\n');
      let info = fields(payload(await connection.call('CLIENT', 'INFO')));
      expect([info.get('lib-name'), info.get('lib-ver')]).toEqual(['redis-py', '5.0.1']);
      expect(await connection.call('CLIENT', 'SETINFO', 'Lib-Name', 'has space')).toBe(
        '-ERR Lib-Name cannot contain spaces, newlines or special characters.\r\n',
      );
      expect(await connection.call('CLIENT', 'SETINFO', 'LIB-COLOR', 'red')).toBe("-ERR Unrecognized option 'LIB-COLOR'\r\n");
      expect(await connection.call('CLIENT', 'SETINFO', 'LIB-NAME')).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
      expect(await connection.call('CLIENT', 'SETINFO', 'LIB-NAME', '')).toBe('+OK\r\n');
      info = fields(payload(await connection.call('CLIENT', 'INFO')));
      expect([info.get('lib-name'), info.get('lib-ver')]).toEqual(['', '5.0.1']);
    } finally {
      connection.close();
    }
  });
});
