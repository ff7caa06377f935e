import { CommandError, ERR_INVALID_EXPIRE, ERR_NOT_INTEGER, ERR_SYNTAX } from '../protocol/errors.js';
import { isToken, parseInt64 } from './args.js';

// The option grammar SET and GETEX share (Redis' parseExtendedStringArgumentsOrReply), and the
// expire-time rules SET, SETEX, PSETEX and GETEX share (getExpireMillisecondsOrReply).

export const OPT_NX = 1 << 0;
export const OPT_XX = 1 << 1;
export const OPT_GET = 1 << 2;
export const OPT_KEEPTTL = 1 << 3;
export const OPT_PERSIST = 1 << 4;
export const OPT_EX = 1 << 5;
export const OPT_PX = 1 << 6;
export const OPT_EXAT = 1 << 7;
export const OPT_PXAT = 1 << 8;

const EXPIRE_OPTIONS = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;
const IN_SECONDS = OPT_EX | OPT_EXAT;
const RELATIVE = OPT_EX | OPT_PX;

/**
 * The expire argument found by the last parseStringOptions call. Handlers run synchronously one
 * at a time, so one module-level slot spares an allocation per command.
 */
export let parsedExpire = '';

/**
 * Parses SET's options (forSet) or GETEX's from argv[start], returning the OPT_* flags. Like
 * Redis, a repeated option is allowed (the last expire wins) and a conflicting one, an option
 * of the other command, or an expire option without its argument is a syntax error.
 */
export function parseStringOptions(argv: readonly string[], start: number, forSet: boolean): number {
  let flags = 0;
  const argc = argv.length;
  for (let j = start; j < argc; j++) {
    const option = argv[j]!;
    const hasNext = j + 1 < argc;
    let expireFlag = 0;
    if (forSet && isToken(option, 'NX') && (flags & OPT_XX) === 0) {
      flags |= OPT_NX;
    } else if (forSet && isToken(option, 'XX') && (flags & OPT_NX) === 0) {
      flags |= OPT_XX;
    } else if (forSet && isToken(option, 'GET')) {
      flags |= OPT_GET;
    } else if (forSet && isToken(option, 'KEEPTTL') && (flags & (OPT_PERSIST | EXPIRE_OPTIONS)) === 0) {
      flags |= OPT_KEEPTTL;
    } else if (!forSet && isToken(option, 'PERSIST') && (flags & (OPT_KEEPTTL | EXPIRE_OPTIONS)) === 0) {
      flags |= OPT_PERSIST;
    } else if (isToken(option, 'EX')) {
      expireFlag = OPT_EX;
    } else if (isToken(option, 'PX')) {
      expireFlag = OPT_PX;
    } else if (isToken(option, 'EXAT')) {
      expireFlag = OPT_EXAT;
    } else if (isToken(option, 'PXAT')) {
      expireFlag = OPT_PXAT;
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
    if (expireFlag !== 0) {
      // The same expire option again is fine; another one, KEEPTTL or PERSIST is not.
      if (!hasNext || (flags & (OPT_KEEPTTL | OPT_PERSIST | (EXPIRE_OPTIONS & ~expireFlag))) !== 0) {
        throw new CommandError(ERR_SYNTAX);
      }
      flags |= expireFlag;
      parsedExpire = argv[++j]!;
    }
  }
  return flags;
}

const INT64_MAX = 9223372036854775807n;
/** Below this, seconds × 1000 + now stays well inside exact double integers. */
const SMALL_EXPIRE = 1e12;

/**
 * The absolute expiry in ms for an EX/PX/EXAT/PXAT argument (flags say which), as Redis checks
 * it: an integer, positive, not overflowing when turned into ms or when added to now;
 * otherwise "invalid expire time in '<command>' command".
 */
export function expireTimeMs(text: string, flags: number, now: number, command: string): number {
  const value = parseInt64(text);
  if (value === undefined) throw new CommandError(ERR_NOT_INTEGER);
  const inSeconds = (flags & IN_SECONDS) !== 0;
  const relative = (flags & RELATIVE) !== 0;
  if (typeof value === 'number' && value > 0 && value < SMALL_EXPIRE) {
    return (inSeconds ? value * 1000 : value) + (relative ? now : 0);
  }
  let ms = BigInt(value);
  if (ms <= 0n || (inSeconds && ms > INT64_MAX / 1000n)) throw new CommandError(ERR_INVALID_EXPIRE(command));
  if (inSeconds) ms *= 1000n;
  if (relative) ms += BigInt(now);
  // Redis' signed addition wraps past LLONG_MAX and the result fails its "<= 0" check.
  if (ms > INT64_MAX) throw new CommandError(ERR_INVALID_EXPIRE(command));
  return Number(ms);
}
