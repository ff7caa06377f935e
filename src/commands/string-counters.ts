import { formatLongDouble, addLongDouble, parseLongDouble, type LongDouble } from '../datastructures/long-double.js';
import {
  CommandError,
  ERR_DECREMENT_OVERFLOW,
  ERR_INCR_FLOAT_NAN,
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
} from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { int64Arg, parseInt64 } from './args.js';
import { findStringSlot } from './lookup.js';
import type { ArgumentSpec, CommandSpec, KeyPositions } from './spec.js';

// INCR, DECR, INCRBY, DECRBY share Redis' incrDecrCommand; INCRBYFLOAT computes in the x87 long
// double Redis uses (datastructures/long-double.ts).

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Adds `increment` to the integer at argv[1] (0 when missing), keeping its TTL. The stored text
 * must be a Redis integer (string2ll) and the sum must stay within int64, exactly: beyond 2^53
 * the arithmetic switches to bigint.
 */
function incrementBy(session: Session, key: string, increment: number | bigint): Reply {
  const db = session.db;
  const slot = findStringSlot(db, key);
  let current: number | bigint = 0;
  if (slot >= 0) {
    const parsed = parseInt64(db.valueAt(slot) as string);
    if (parsed === undefined) throw new CommandError(ERR_NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === 'number' && typeof increment === 'number') {
    result = current + increment;
    if (result > Number.MAX_SAFE_INTEGER || result < Number.MIN_SAFE_INTEGER) result = BigInt(current) + BigInt(increment);
  } else {
    result = BigInt(current) + BigInt(increment);
  }
  if (typeof result === 'bigint') {
    if (result > INT64_MAX || result < INT64_MIN) throw new CommandError(ERR_OVERFLOW);
    if (result <= BigInt(Number.MAX_SAFE_INTEGER) && result >= BigInt(Number.MIN_SAFE_INTEGER)) result = Number(result);
  }
  const text = String(result);
  if (slot >= 0) db.replaceAt(slot, text);
  else db.insert(key, text);
  return result;
}

function incrCommand(session: Session, argv: string[]): Reply {
  return incrementBy(session, argv[1]!, 1);
}

function decrCommand(session: Session, argv: string[]): Reply {
  return incrementBy(session, argv[1]!, -1);
}

function incrbyCommand(session: Session, argv: string[]): Reply {
  return incrementBy(session, argv[1]!, int64Arg(argv[2]!));
}

function decrbyCommand(session: Session, argv: string[]): Reply {
  const decrement = int64Arg(argv[2]!);
  // Negating LLONG_MIN overflows: Redis checks it before touching the key.
  if (decrement === INT64_MIN) throw new CommandError(ERR_DECREMENT_OVERFLOW);
  return incrementBy(session, argv[1]!, -decrement);
}

const ZERO = parseLongDouble('0')!;

function incrbyfloatCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const key = argv[1]!;
  const slot = findStringSlot(db, key);
  let current: LongDouble | undefined = ZERO;
  if (slot >= 0) current = parseLongDouble(db.valueAt(slot) as string);
  const increment = parseLongDouble(argv[2]!);
  if (current === undefined || increment === undefined) throw new CommandError(ERR_NOT_FLOAT);
  const sum = addLongDouble(current, increment);
  if (sum === undefined) throw new CommandError(ERR_INCR_FLOAT_NAN);
  const text = formatLongDouble(sum);
  // Redis stores the result as text (createStringObjectFromLongDouble), never as an int object.
  if (slot >= 0) {
    db.replaceAt(slot, text);
    db.setEncodingNotInteger(slot);
  } else {
    db.setEncodingNotInteger(db.insert(key, text));
  }
  return text;
}

const KEY: KeyPositions = { first: 1, last: 1, step: 1 };
const KEY_ARGUMENT: ArgumentSpec = { name: 'key', type: 'key' };

function counter(name: string, summary: string, handler: CommandSpec['handler'], amount?: ArgumentSpec): CommandSpec {
  return {
    name,
    arity: amount === undefined ? 2 : 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'update'],
    acl: ['write', 'string', 'fast'],
    group: 'string',
    since: name === 'incrbyfloat' ? '2.6.0' : '1.0.0',
    summary,
    complexity: 'O(1)',
    arguments: amount === undefined ? [KEY_ARGUMENT] : [KEY_ARGUMENT, amount],
    handler,
  };
}

export const counterCommands: CommandSpec[] = [
  counter('incr', 'Increment the integer value of a key by one', incrCommand),
  counter('decr', 'Decrement the integer value of a key by one', decrCommand),
  counter('incrby', 'Increment the integer value of a key by the given amount', incrbyCommand, { name: 'increment', type: 'integer' }),
  counter('decrby', 'Decrement the integer value of a key by the given number', decrbyCommand, { name: 'decrement', type: 'integer' }),
  counter('incrbyfloat', 'Increment the float value of a key by the given amount', incrbyfloatCommand, { name: 'increment', type: 'double' }),
];
