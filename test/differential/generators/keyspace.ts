import fc from 'fast-check';
import {
  command, compared, key, keys, optional, options, token, ttlMilliseconds, ttlSeconds, unixMilliseconds,
  unixSeconds, weighted, type Weighted,
} from './common.js';

// Generic keyspace commands and the TTL commands.

const db = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('16', '-1', 'abc', '1.0', '') });
const pattern = fc.constantFrom('*', 'a', '?', 'k*', 'key:*', '[ab]', '[^a]*', '*:*', 'b\\*', '[a-c]', '*\0*', 'nomatch', '');
const scanType = fc.constantFrom('string', 'list', 'STRING', 'none', 'hash');

export const keyspaceCommands: Weighted[] = [
  weighted(2, command('DEL', keys(1, 3))),
  weighted(1, command('UNLINK', keys(1, 3))),
  weighted(2, command('EXISTS', keys(1, 4))),
  weighted(1, command('TYPE', key)),
  weighted(1, compared({ kind: 'unordered' }, command('KEYS', pattern))),
  weighted(1, compared({ kind: 'scan' }, command('SCAN', fc.constant('0'), options([
    fc.tuple(token('MATCH'), pattern),
    fc.tuple(token('COUNT'), fc.constantFrom('100', '1000')),
    fc.tuple(token('TYPE'), scanType),
  ], 3)))),
  weighted(1, command('SCAN', fc.constantFrom('abc', ' 1', '1x', '18446744073709551616'), fc.constant([]))),
  weighted(1, command('SCAN', fc.constant('0'), fc.tuple(token('COUNT'), fc.constantFrom('0', '-1', 'x')))),
  weighted(1, compared({ kind: 'same-type' }, command('RANDOMKEY'))),
  weighted(2, command('RENAME', key, key)),
  weighted(1, command('RENAMENX', key, key)),
  weighted(2, command('COPY', key, key, options([fc.tuple(token('DB'), db), token('REPLACE').map((t) => [t])], 2))),
  weighted(1, command('TOUCH', keys(1, 3))),
  weighted(2, command('OBJECT', token('ENCODING'), key)),
  weighted(1, command('DBSIZE')),
  weighted(1, command('SELECT', db)),
  weighted(1, command('SWAPDB', db, db)),
  weighted(2, command('MOVE', key, db)),
  weighted(1, command('FLUSHDB', optional(token('ASYNC', 'SYNC').map((t) => [t])))),
];

const expireCondition = optional(fc.oneof({ weight: 4, arbitrary: token('NX', 'XX', 'GT', 'LT').map((t) => [t]) }, { weight: 1, arbitrary: fc.constantFrom(['NX', 'XX'], ['GT', 'LT'], ['NX', 'GT'], ['BAD'], ['XX', 'GT']) }));

export const expireCommands: Weighted[] = [
  weighted(3, command('EXPIRE', key, ttlSeconds, expireCondition)),
  weighted(2, command('PEXPIRE', key, ttlMilliseconds, expireCondition)),
  weighted(2, command('EXPIREAT', key, unixSeconds, expireCondition)),
  weighted(2, command('PEXPIREAT', key, unixMilliseconds, expireCondition)),
  weighted(2, compared({ kind: 'tolerance', tolerance: 1 }, command('TTL', key))),
  weighted(2, compared({ kind: 'tolerance', tolerance: 1000 }, command('PTTL', key))),
  weighted(1, compared({ kind: 'tolerance', tolerance: 1 }, command('EXPIRETIME', key))),
  weighted(1, compared({ kind: 'tolerance', tolerance: 1000 }, command('PEXPIRETIME', key))),
  weighted(2, command('PERSIST', key)),
];

