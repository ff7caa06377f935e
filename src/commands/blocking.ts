import { LIST_HEAD, LIST_TAIL, type ListEnd } from '../datastructures/list.js';
import { parseLongDouble } from '../datastructures/long-double.js';
import { CommandError, ERR_TIMEOUT_NEGATIVE, ERR_TIMEOUT_NOT_FLOAT } from '../protocol/errors.js';
import { NO_REPLY, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import type { BlockingServe } from '../server/blocking.js';
import type { Session } from '../server/session.js';
import { parseFloat64 } from './args.js';
import { lmoveGeneric, MOVE_KEY_SPECS, parseListEnd, parseMpopArguments, popWithKey } from './list-generic.js';
import { parseZmpopArguments, zpopGeneric } from './sorted-set-pop.js';
import type { ArgumentSpec, CommandSpec, KeySpec } from './spec.js';
import { keyAt } from './key-specs.js';

// The blocking list and sorted set commands of Redis 7.0 (t_list.c, t_zset.c): with data they
// answer at once like their non-blocking twins; without, they wait in the server's blocking
// registry (src/server/blocking.ts), whose serve steps below pop for them once a key gets data.

/** 2^63: Redis converts the timeout to a long long; anything from here on wraps negative. */
const LLONG_LIMIT = 2 ** 63;
const MANTISSA_BITS = 64n;

/**
 * ceill(x * 1000.0L) for the long double x that strtold reads from `text`, computed exactly: the
 * product rounded to the x87's 64-bit mantissa (half to even), then rounded up. Near whole
 * milliseconds this differs from doubles: "-0.001" reads as a long double just above -0.001, so
 * Redis waits forever where a double would say -1 ms. Undefined when strtold rejects the text.
 */
function exactCeilMillis(text: string): number | undefined {
  const value = parseLongDouble(text);
  if (value === undefined) return undefined;
  if (value.infinite) return value.negative ? -Infinity : Infinity;
  let product = value.mantissa * 1000n;
  let exponent = value.exponent;
  const excess = BigInt(product.toString(2).length) - MANTISSA_BITS;
  if (excess > 0n) {
    let rounded = product >> excess;
    const remainder = product - (rounded << excess);
    const half = 1n << (excess - 1n);
    if (remainder > half || (remainder === half && (rounded & 1n) === 1n)) rounded++;
    product = rounded;
    exponent += Number(excess);
  }
  let magnitude: bigint;
  if (exponent >= 0) {
    magnitude = product << BigInt(exponent);
  } else {
    const shift = BigInt(-exponent);
    magnitude = product >> shift;
    // Rounding up moves a positive value away from zero and a negative one towards it.
    if (!value.negative && magnitude << shift !== product) magnitude++;
  }
  return value.negative ? -Number(magnitude) : Number(magnitude);
}

/**
 * Redis 7.0's getTimeoutFromObjectOrReply in seconds, as measured on 7.0.15: a long double
 * (strtold's text, no NaN) times 1000, rounded up to whole milliseconds (0.0001 waits 1 ms,
 * -0.0001 and -0.001 round to 0: forever). Infinity and anything from 2^63 ms on overflow the
 * conversion to long long and read as negative, as on x86-64. Returns the absolute deadline, 0
 * for forever.
 */
export function parseTimeout(session: Session, text: string): number {
  const seconds = parseFloat64(text);
  if (seconds === undefined) throw new CommandError(ERR_TIMEOUT_NOT_FLOAT);
  const scaled = seconds * 1000;
  let ms: number | undefined;
  // A zero read from anything but "0" may be a long double too small for a double (1e-400).
  if (Number.isInteger(seconds) && (seconds !== 0 || text === '0') && Math.abs(scaled) < Number.MAX_SAFE_INTEGER) {
    ms = scaled;
  } else if (Math.abs(scaled) < 2 ** 62 && Math.abs(scaled - Math.round(scaled)) > 1e-6) {
    // Far from a whole millisecond the long double's extra precision cannot change the ceiling.
    ms = Math.ceil(scaled);
  } else {
    ms = exactCeilMillis(text);
    if (ms === undefined) throw new CommandError(ERR_TIMEOUT_NOT_FLOAT);
  }
  if (!(ms < LLONG_LIMIT) || ms < 0) throw new CommandError(ERR_TIMEOUT_NEGATIVE);
  return ms === 0 ? 0 : session.server.clock.now + ms;
}

/** Puts `session` to wait on `keys`; the command's reply comes when the wait ends. */
function block(session: Session, argv: readonly string[], name: string, serve: BlockingServe, keys: readonly string[], deadline: number): Reply {
  const command = session.server.commands.get(name)!;
  session.server.blocking.block(session, command, serve, argv, keys, deadline);
  return NO_REPLY;
}

// BLPOP / BRPOP: [key, element] from the first key in argument order holding a list.

const LIST_POP_HEAD: BlockingServe = { kind: 'list', serve: (session, _argv, key) => popWithKey(session, key, LIST_HEAD, -1)! };
const LIST_POP_TAIL: BlockingServe = { kind: 'list', serve: (session, _argv, key) => popWithKey(session, key, LIST_TAIL, -1)! };

function blockingPop(session: Session, argv: string[], where: ListEnd, name: string): Reply {
  const deadline = parseTimeout(session, argv[argv.length - 1]!);
  const keys = argv.slice(1, -1);
  for (const key of keys) {
    const reply = popWithKey(session, key, where, -1);
    if (reply !== undefined) return reply;
  }
  if (session.denyBlocking) return NULL_ARRAY;
  return block(session, argv, name, where === LIST_HEAD ? LIST_POP_HEAD : LIST_POP_TAIL, keys, deadline);
}

// BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT n]: [key, [elements]].

const LIST_MPOP_SERVE: BlockingServe = {
  kind: 'list',
  serve: (session, argv, key) => {
    const parsed = parseMpopArguments(argv, 2);
    return popWithKey(session, key, parsed.where, parsed.count)!;
  },
};

function blmpopCommand(session: Session, argv: string[]): Reply {
  const parsed = parseMpopArguments(argv, 2);
  const deadline = parseTimeout(session, argv[1]!);
  const keys = argv.slice(3, 3 + parsed.numkeys);
  for (const key of keys) {
    const reply = popWithKey(session, key, parsed.where, parsed.count);
    if (reply !== undefined) return reply;
  }
  if (session.denyBlocking) return NULL_ARRAY;
  return block(session, argv, 'blmpop', LIST_MPOP_SERVE, keys, deadline);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, BRPOPLPUSH source destination timeout:
// the element moved. The destination's type is only checked once the source has data.

function moveEnds(argv: readonly string[]): [ListEnd, ListEnd] {
  return argv.length === 4 ? [LIST_TAIL, LIST_HEAD] : [parseListEnd(argv[3]!), parseListEnd(argv[4]!)];
}

const LIST_MOVE_SERVE: BlockingServe = {
  kind: 'list',
  serve: (session, argv, key) => {
    const [from, to] = moveEnds(argv);
    return lmoveGeneric(session, key, argv[2]!, from, to);
  },
};

function blockingMove(session: Session, argv: string[], name: string): Reply {
  const [from, to] = moveEnds(argv);
  const deadline = parseTimeout(session, argv[argv.length - 1]!);
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot >= 0) return lmoveGeneric(session, argv[1]!, argv[2]!, from, to);
  // Unlike the other blocking commands, BLMOVE in MULTI answers LMOVE's null bulk string.
  if (session.denyBlocking) return null;
  return block(session, argv, name, LIST_MOVE_SERVE, [argv[1]!], deadline);
}

// BZPOPMIN / BZPOPMAX key... timeout: [key, member, score].

const ZSET_POP_MIN: BlockingServe = { kind: 'zset', serve: (session, _argv, key) => zpopGeneric(session, [key], 0, 1, false, true, -1, false, false) };
const ZSET_POP_MAX: BlockingServe = { kind: 'zset', serve: (session, _argv, key) => zpopGeneric(session, [key], 0, 1, true, true, -1, false, false) };

function blockingZpop(session: Session, argv: string[], fromMax: boolean, name: string): Reply {
  const deadline = parseTimeout(session, argv[argv.length - 1]!);
  const db = session.db;
  const last = argv.length - 1;
  for (let i = 1; i < last; i++) {
    if (db.find(argv[i]!) >= 0) return zpopGeneric(session, argv, i, 1, fromMax, true, -1, false, false);
  }
  if (session.denyBlocking) return NULL_ARRAY;
  return block(session, argv, name, fromMax ? ZSET_POP_MAX : ZSET_POP_MIN, argv.slice(1, last), deadline);
}

// BZMPOP timeout numkeys key... MIN|MAX [COUNT n]: [key, [[member, score], ...]].

const ZSET_MPOP_SERVE: BlockingServe = {
  kind: 'zset',
  serve: (session, argv, key) => {
    const parsed = parseZmpopArguments(argv, 2);
    return zpopGeneric(session, [key], 0, 1, parsed.fromMax, true, parsed.count, true, true);
  },
};

function bzmpopCommand(session: Session, argv: string[]): Reply {
  const parsed = parseZmpopArguments(argv, 2);
  const deadline = parseTimeout(session, argv[1]!);
  const db = session.db;
  const end = parsed.keyStart + parsed.keyCount;
  for (let i = parsed.keyStart; i < end; i++) {
    if (db.find(argv[i]!) >= 0) return zpopGeneric(session, argv, i, 1, parsed.fromMax, true, parsed.count, true, true);
  }
  if (session.denyBlocking) return NULL_ARRAY;
  return block(session, argv, 'bzmpop', ZSET_MPOP_SERVE, argv.slice(parsed.keyStart, end), deadline);
}

const KEYS_AND_TIMEOUT: readonly ArgumentSpec[] = [
  { name: 'key', type: 'key', multiple: true },
  { name: 'timeout', type: 'double' },
];

const LEFT_RIGHT = (name: string): ArgumentSpec => ({
  name,
  type: 'oneof',
  arguments: [
    { name: 'left', type: 'pure-token', token: 'LEFT' },
    { name: 'right', type: 'pure-token', token: 'RIGHT' },
  ],
});

/** BLPOP, BRPOP, BZPOPMIN, BZPOPMAX: every argument but the timeout is a key, read and possibly emptied. */
const POP_KEY_SPECS: readonly KeySpec[] = [keyAt(1, ['RW', 'access', 'delete'], -2)];

/** BLMPOP and BZMPOP: numkeys at argv[2], then the keys, each read and possibly emptied. */
const MPOP_KEY_SPECS: readonly KeySpec[] = [{ flags: ['RW', 'access', 'delete'], begin: { index: 2 }, find: { keynumIndex: 0, firstKey: 1, keyStep: 1 } }];

/** BLPOP and BRPOP: keys then a timeout, the same flags and cost; only the end popped differs. */
function listPopSpec(name: string, summary: string, handler: CommandSpec['handler']): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ['write', 'noscript', 'blocking'],
    keys: { first: 1, last: -2, step: 1 },
    keySpecs: POP_KEY_SPECS,
    acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list',
    since: '2.0.0',
    summary,
    complexity: 'O(N) where N is the number of provided keys.',
    arguments: KEYS_AND_TIMEOUT,
    handler,
  };
}

/** BZPOPMIN and BZPOPMAX: keys then a timeout, the same flags and cost; only the end popped differs. */
function zsetPopSpec(name: string, summary: string, handler: CommandSpec['handler']): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ['write', 'noscript', 'blocking', 'fast'],
    keys: { first: 1, last: -2, step: 1 },
    keySpecs: POP_KEY_SPECS,
    acl: ['write', 'sortedset', 'fast', 'blocking'],
    group: 'sorted-set',
    since: '5.0.0',
    summary,
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    arguments: KEYS_AND_TIMEOUT,
    handler,
  };
}

export const blockingCommands: CommandSpec[] = [
  listPopSpec('blpop', 'Remove and get the first element in a list, or block until one is available', (session, argv) => blockingPop(session, argv, LIST_HEAD, 'blpop')),
  listPopSpec('brpop', 'Remove and get the last element in a list, or block until one is available', (session, argv) => blockingPop(session, argv, LIST_TAIL, 'brpop')),
  {
    name: 'blmove',
    arity: 6,
    flags: ['write', 'denyoom', 'noscript', 'blocking'],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: MOVE_KEY_SPECS,
    acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list',
    since: '6.2.0',
    summary: 'Pop an element from a list, push it to another list and return it; or block until one is available',
    complexity: 'O(1)',
    arguments: [
      { name: 'source', type: 'key' },
      { name: 'destination', type: 'key' },
      LEFT_RIGHT('wherefrom'),
      LEFT_RIGHT('whereto'),
      { name: 'timeout', type: 'double' },
    ],
    handler: (session, argv) => blockingMove(session, argv, 'blmove'),
  },
  {
    name: 'brpoplpush',
    arity: 4,
    flags: ['write', 'denyoom', 'noscript', 'blocking'],
    keys: { first: 1, last: 2, step: 1 },
    keySpecs: MOVE_KEY_SPECS,
    acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list',
    since: '2.2.0',
    summary: 'Pop an element from a list, push it to another list and return it; or block until one is available',
    complexity: 'O(1)',
    arguments: [
      { name: 'source', type: 'key' },
      { name: 'destination', type: 'key' },
      { name: 'timeout', type: 'double' },
    ],
    handler: (session, argv) => blockingMove(session, argv, 'brpoplpush'),
  },
  {
    // COMMAND INFO says "movablekeys" with no legacy key range (its keys follow numkeys), a flag
    // CommandFlag does not name yet.
    name: 'blmpop',
    arity: -5,
    flags: ['write', 'blocking'],
    keySpecs: MPOP_KEY_SPECS,
    acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list',
    since: '7.0.0',
    summary: 'Pop elements from a list, or block until one is available',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    arguments: [
      { name: 'timeout', type: 'double' },
      { name: 'numkeys', type: 'integer' },
      { name: 'key', type: 'key', multiple: true },
      LEFT_RIGHT('where'),
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: blmpopCommand,
  },
  zsetPopSpec('bzpopmin', 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', (session, argv) => blockingZpop(session, argv, false, 'bzpopmin')),
  zsetPopSpec('bzpopmax', 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', (session, argv) => blockingZpop(session, argv, true, 'bzpopmax')),
  {
    name: 'bzmpop',
    arity: -5,
    flags: ['write', 'blocking'],
    keySpecs: MPOP_KEY_SPECS,
    acl: ['write', 'sortedset', 'slow', 'blocking'],
    group: 'sorted-set',
    since: '7.0.0',
    summary: 'Remove and return members with scores in a sorted set or block until one is available',
    complexity:
      'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    arguments: [
      { name: 'timeout', type: 'double' },
      { name: 'numkeys', type: 'integer' },
      { name: 'key', type: 'key', multiple: true },
      {
        name: 'where',
        type: 'oneof',
        arguments: [
          { name: 'min', type: 'pure-token', token: 'MIN' },
          { name: 'max', type: 'pure-token', token: 'MAX' },
        ],
      },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: bzmpopCommand,
  },
];
