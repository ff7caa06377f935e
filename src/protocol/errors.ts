import { ErrorReply } from './reply.js';

// Redis 7's error texts, in one place. Functions build the ones that carry arguments.

export const ERR_SYNTAX = 'ERR syntax error';
export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_NO_SUCH_KEY = 'ERR no such key';
export const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_INCR_FLOAT_NAN = 'ERR increment would produce NaN or Infinity';
export const ERR_HASH_NOT_INTEGER = 'ERR hash value is not an integer';
export const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';
export const ERR_NAN_OR_INFINITY = 'ERR value is NaN or Infinity';
export const ERR_VALUE_OUT_OF_RANGE = 'ERR value is out of range';
export const ERR_SORT_SCORES = "ERR One or more scores can't be converted into double";
export const ERR_DECREMENT_OVERFLOW = 'ERR decrement would overflow';
export const ERR_LCS_NOT_STRINGS = 'ERR The specified keys must contain string values';
export const ERR_LCS_LEN_AND_IDX = 'ERR If you want both the length and indexes, please just use IDX.';
export const ERR_LCS_TABLE_TOO_BIG = 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';
export const ERR_LCS_ALLOCATION = 'ERR Insufficient memory, failed allocating transient memory for LCS';
export const ERR_DB_INDEX = 'ERR DB index is out of range';
export const ERR_NOAUTH = 'NOAUTH Authentication required.';
export const ERR_WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
export const ERR_AUTH_NO_PASSWORD =
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';
export const ERR_OFFSET_RANGE = 'ERR offset is out of range';
export const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
export const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
export const ERR_STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const ERR_BITPOS_BIT = 'ERR The bit argument must be 1 or 0.';
export const ERR_BITOP_NOT = 'ERR BITOP NOT must be called with a single source key.';
export const ERR_BITFIELD_TYPE =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
export const ERR_BITFIELD_OVERFLOW_TYPE = 'ERR Invalid OVERFLOW type specified';
export const ERR_BITFIELD_RO = 'ERR BITFIELD_RO only supports the GET subcommand';
export const ERR_INVALID_EXPIRE = (command: string): string => `ERR invalid expire time in '${command}' command`;
export const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
export const ERR_TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
export const ERR_UNBLOCKED = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';
export const ERR_SLOWLOG_COUNT = 'ERR count should be greater than or equal to -1';
export const ERR_REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace";
export const ERR_MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client";
export const ERR_NO_LATENCY_SAMPLES = (event: string): string => `ERR No samples available for event '${event}'`;
export const ERR_UNBLOCK_REASON = 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR';
export const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
export const ERR_NAN = 'ERR value is NaN';
export const ERR_INVALID_CURSOR = 'ERR invalid cursor';
export const ERR_FIRST_DB_INDEX = 'ERR invalid first DB index';
export const ERR_SECOND_DB_INDEX = 'ERR invalid second DB index';
export const ERR_LFU_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
export const ERR_LFU_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";
export const ERR_EXPIRE_NX_WITH_OTHERS = 'ERR NX and XX, GT or LT options at the same time are not compatible';
export const ERR_EXPIRE_GT_AND_LT = 'ERR GT and LT options at the same time are not compatible';
export const ERR_INT_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';
export const unsupportedOption = (option: string): string => `ERR Unsupported option ${option}`;
export const ERR_MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
export const ERR_NUMKEYS_NOT_POSITIVE = 'ERR numkeys should be greater than 0';
export const ERR_NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
export const ERR_LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
export const ERR_LONG_RANGE_SYMMETRIC = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

export const ERR_NOPROTO = 'NOPROTO unsupported protocol version';
export const ERR_HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
export const ERR_CLIENT_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';
export const ERR_NO_SUCH_CLIENT = 'ERR No such client';
export const ERR_SELECT_CLUSTER = 'ERR SELECT is not allowed in cluster mode';
export const outOfRange = (min: number, max: number): string => `ERR value is out of range, value must between ${min} and ${max}`;

export const wrongArity = (name: string): string => `ERR wrong number of arguments for '${name}' command`;

export const unknownSubcommand = (sub: string, container: string): string =>
  `ERR unknown subcommand '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`;

/** Redis' addReplySubcommandSyntaxError: a known subcommand given the wrong arguments in its handler. */
export const subcommandSyntax = (sub: string, container: string): string =>
  `ERR unknown subcommand or wrong number of arguments for '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`;

export function unknownCommand(argv: readonly string[]): string {
  // Redis quotes up to 128 bytes of the arguments, each at most what is left of that budget.
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${truncate(argv[i]!, 128 - args.length)}' `;
  }
  return `ERR unknown command '${truncate(argv[0]!, 128)}', with args beginning with: ${args}`;
}

export const protocolError = (detail: string): string => `ERR Protocol error: ${detail}`;

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** Thrown by handlers and shared helpers; dispatch turns it into the error reply. */
export class CommandError extends ErrorReply {}

export function fail(text: string): never {
  throw new CommandError(text);
}
