import {
  CommandError,
  ERR_EXPIRE_GT_AND_LT,
  ERR_EXPIRE_NX_WITH_OTHERS,
  ERR_INVALID_EXPIRE,
  unsupportedOption,
} from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { int64Arg, isToken } from './args.js';
import type { ArgumentSpec, CommandSpec } from './spec.js';

// Key expiry (Redis' expire.c): EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT share one generic
// function and one option grammar; TTL, PTTL, EXPIRETIME and PEXPIRETIME share another.
// Every time comes from the node's clock (session.server.clock.now), never Date.now().

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

const LLONG_MAX = 9223372036854775807n;
/** LLONG_MAX / 1000 and LLONG_MIN / 1000 in C (truncated): the seconds that still fit in ms. */
const MAX_SECONDS = 9223372036854775n;
const MIN_SECONDS = -9223372036854775n;
/** Below this, `when * 1000 + now` stays an exact double: no bigint on the common path. */
const EXACT_SECONDS = 2 ** 42;

/** Redis' parseExtendedExpireArgumentsOrReply: NX | XX | GT | LT after the time, then the compatibility rules. */
function parseConditions(argv: string[]): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!;
    if (isToken(option, 'NX')) flags |= NX;
    else if (isToken(option, 'XX')) flags |= XX;
    else if (isToken(option, 'GT')) flags |= GT;
    else if (isToken(option, 'LT')) flags |= LT;
    else throw new CommandError(unsupportedOption(option));
  }
  if (flags & NX && flags & (XX | GT | LT)) throw new CommandError(ERR_EXPIRE_NX_WITH_OTHERS);
  if (flags & GT && flags & LT) throw new CommandError(ERR_EXPIRE_GT_AND_LT);
  return flags;
}

/**
 * The absolute expiry in ms that `text` asks for, with Redis' overflow checks: seconds that do
 * not fit in ms, or a relative time that overflows when the current time is added, are "invalid
 * expire time". Past 2^53 ms (year 287396) the result is a bigint, kept exact as Redis does.
 */
function absoluteExpiry(text: string, seconds: boolean, relative: boolean, now: number, command: string): number | bigint {
  const value = int64Arg(text);
  if (typeof value === 'number' && Math.abs(value) < EXACT_SECONDS) {
    return (seconds ? value * 1000 : value) + (relative ? now : 0);
  }
  let when = BigInt(value);
  if (seconds) {
    if (when > MAX_SECONDS || when < MIN_SECONDS) throw new CommandError(ERR_INVALID_EXPIRE(command));
    when *= 1000n;
  }
  const base = relative ? BigInt(now) : 0n;
  if (when > LLONG_MAX - base) throw new CommandError(ERR_INVALID_EXPIRE(command));
  when += base;
  const approximate = Number(when);
  return approximate <= Number.MAX_SAFE_INTEGER && approximate >= Number.MIN_SAFE_INTEGER ? approximate : when;
}

/**
 * Redis' expireGenericCommand. A key without a TTL counts as an infinite TTL for GT and LT; a
 * time already past deletes the key (and still replies 1).
 */
function expireGeneric(session: Session, argv: string[], command: string, seconds: boolean, relative: boolean): Reply {
  const flags = parseConditions(argv);
  const now = session.server.clock.now;
  const when = absoluteExpiry(argv[2]!, seconds, relative, now, command);
  const db = session.db;
  const slot = db.find(argv[1]!);
  if (slot < 0) return 0;
  if (flags !== 0) {
    // Mixed number/bigint comparisons are exact in JS.
    const current = db.exactExpireAtSlot(slot);
    const volatile = current !== 0;
    if (flags & NX && volatile) return 0;
    if (flags & XX && !volatile) return 0;
    if (flags & GT && (!volatile || when <= current)) return 0;
    if (flags & LT && volatile && when >= current) return 0;
  }
  if (when <= now) {
    db.deleteAt(slot);
    return 1;
  }
  db.setExpireAt(slot, when);
  return 1;
}

/** Redis' ttlGenericCommand: -2 for a missing key, -1 without a TTL; seconds round to nearest. */
function ttlGeneric(session: Session, argv: string[], milliseconds: boolean, absolute: boolean): Reply {
  const db = session.db;
  const slot = db.findForReadNoTouch(argv[1]!);
  if (slot < 0) return -2;
  const expireAt = db.exactExpireAtSlot(slot);
  if (expireAt === 0) return -1;
  const now = session.server.clock.now;
  if (typeof expireAt === 'bigint') {
    let ttl = absolute ? expireAt : expireAt - BigInt(now);
    if (ttl < 0n) ttl = 0n;
    return milliseconds ? ttl : (ttl + 500n) / 1000n;
  }
  const ttl = Math.max(0, absolute ? expireAt : expireAt - now);
  return milliseconds ? ttl : Math.floor((ttl + 500) / 1000);
}

function persistCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.find(argv[1]!);
  return slot >= 0 && db.persistAt(slot) ? 1 : 0;
}

const conditionArg: ArgumentSpec = {
  name: 'condition',
  type: 'oneof',
  optional: true,
  arguments: [
    { name: 'nx', type: 'pure-token', token: 'NX' },
    { name: 'xx', type: 'pure-token', token: 'XX' },
    { name: 'gt', type: 'pure-token', token: 'GT' },
    { name: 'lt', type: 'pure-token', token: 'LT' },
  ],
};

const keyArg: readonly ArgumentSpec[] = [{ name: 'key', type: 'key' }];

function expireSpec(
  name: string,
  since: string,
  summary: string,
  timeArg: ArgumentSpec,
  seconds: boolean,
  relative: boolean,
): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ['write', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['keyspace', 'write', 'fast'],
    group: 'generic',
    since,
    summary,
    complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, timeArg, conditionArg],
    handler: (session, argv) => expireGeneric(session, argv, name, seconds, relative),
  };
}

function ttlSpec(name: string, since: string, summary: string, milliseconds: boolean, absolute: boolean): CommandSpec {
  return {
    name,
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['keyspace', 'read', 'fast'],
    group: 'generic',
    since,
    summary,
    complexity: 'O(1)',
    arguments: keyArg,
    handler: (session, argv) => ttlGeneric(session, argv, milliseconds, absolute),
  };
}

export const expireCommands: CommandSpec[] = [
  expireSpec('expire', '1.0.0', "Set a key's time to live in seconds", { name: 'seconds', type: 'integer' }, true, true),
  expireSpec('pexpire', '2.6.0', "Set a key's time to live in milliseconds", { name: 'milliseconds', type: 'integer' }, false, true),
  expireSpec(
    'expireat',
    '1.2.0',
    'Set the expiration for a key as a UNIX timestamp',
    { name: 'unix-time-seconds', type: 'unix-time' },
    true,
    false,
  ),
  expireSpec(
    'pexpireat',
    '2.6.0',
    'Set the expiration for a key as a UNIX timestamp specified in milliseconds',
    { name: 'unix-time-milliseconds', type: 'unix-time' },
    false,
    false,
  ),
  ttlSpec('ttl', '1.0.0', 'Get the time to live for a key in seconds', false, false),
  ttlSpec('pttl', '2.6.0', 'Get the time to live for a key in milliseconds', true, false),
  ttlSpec('expiretime', '7.0.0', 'Get the expiration Unix timestamp for a key', false, true),
  ttlSpec('pexpiretime', '7.0.0', 'Get the expiration Unix timestamp for a key in milliseconds', true, true),
  {
    name: 'persist',
    arity: 2,
    flags: ['write', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    acl: ['keyspace', 'write', 'fast'],
    group: 'generic',
    since: '2.2.0',
    summary: 'Remove the expiration from a key',
    complexity: 'O(1)',
    arguments: keyArg,
    handler: persistCommand,
  },
];
