import {
  CommandError,
  ERR_LCS_ALLOCATION,
  ERR_LCS_LEN_AND_IDX,
  ERR_LCS_NOT_STRINGS,
  ERR_LCS_TABLE_TOO_BIG,
  ERR_SYNTAX,
} from '../protocol/errors.js';
import { MapReply, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg, isToken } from './args.js';
import type { CommandSpec } from './spec.js';

// LCS, as Redis 7's lcsCommand: the classic dynamic-programming table, then a walk back from the
// end that yields the common subsequence and, for IDX, its matching ranges from last to first.

/** The string at `key` ('' when missing), or undefined when the key holds another type. */
function lcsOperand(session: Session, key: string): string | undefined {
  const db = session.db;
  const slot = db.findForRead(key);
  if (slot < 0) return '';
  const value = db.valueAt(slot);
  return typeof value === 'string' ? value : undefined;
}

function lcsHandler(session: Session, argv: string[]): Reply {
  // Read the first value before the second lookup: an expiry there may move slots around.
  const a = lcsOperand(session, argv[1]!);
  const b = lcsOperand(session, argv[2]!);
  if (a === undefined || b === undefined) throw new CommandError(ERR_LCS_NOT_STRINGS);
  let withIdx = false;
  let lenOnly = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!;
    if (isToken(option, 'IDX')) withIdx = true;
    else if (isToken(option, 'LEN')) lenOnly = true;
    else if (isToken(option, 'WITHMATCHLEN')) withMatchLen = true;
    else if (isToken(option, 'MINMATCHLEN') && j + 1 < argv.length) {
      minMatchLen = Math.max(0, intArg(argv[++j]!));
    } else throw new CommandError(ERR_SYNTAX);
  }
  if (withIdx && lenOnly) throw new CommandError(ERR_LCS_LEN_AND_IDX);

  const aLength = a.length;
  const bLength = b.length;
  const width = bLength + 1;
  const cells = (aLength + 1) * width;
  if (cells * 4 > session.server.config.getInt('proto-max-bulk-len')) throw new CommandError(ERR_LCS_TABLE_TOO_BIG);
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    throw new CommandError(ERR_LCS_ALLOCATION);
  }
  // table[i * width + j] = LCS length of a[0..i) and b[0..j); row and column 0 stay 0.
  for (let i = 1; i <= aLength; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * width;
    const above = row - width;
    for (let j = 1; j <= bLength; j++) {
      if (ca === b.charCodeAt(j - 1)) table[row + j] = table[above + j - 1]! + 1;
      else {
        const up = table[above + j]!;
        const left = table[row + j - 1]!;
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[aLength * width + bLength]!;
  if (lenOnly && !withIdx) return total;

  const common = Buffer.allocUnsafe(total);
  const matches: Reply[] = [];
  let remaining = total;
  // A range in progress, aStart === aLength meaning none (Redis' sentinel).
  let aStart = aLength;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = aLength;
  let j = bLength;
  while (i > 0 && j > 0) {
    let emit = false;
    const ca = a.charCodeAt(i - 1);
    if (ca === b.charCodeAt(j - 1)) {
      common[remaining - 1] = ca;
      if (aStart === aLength) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      // A match on the first byte of either string ends the walk: emit now.
      if (aStart === 0 || bStart === 0) emit = true;
      remaining--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart !== aLength) emit = true;
    }
    if (emit) {
      const matchLength = aEnd - aStart + 1;
      if (withIdx && (minMatchLen === 0 || matchLength >= minMatchLen)) {
        const range: Reply[] = [
          [aStart, aEnd],
          [bStart, bEnd],
        ];
        if (withMatchLen) range.push(matchLength);
        matches.push(range);
      }
      aStart = aLength;
    }
  }
  if (withIdx) return new MapReply(['matches', matches, 'len', total]);
  return common.toString('latin1');
}

export const lcsCommand: CommandSpec = {
  name: 'lcs',
  arity: -3,
  flags: ['readonly'],
  keys: { first: 1, last: 2, step: 1 },
  acl: ['read', 'string', 'slow'],
  group: 'string',
  since: '7.0.0',
  summary: 'Find longest common substring',
  complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
  arguments: [
    { name: 'key1', type: 'key' },
    { name: 'key2', type: 'key' },
    { name: 'len', type: 'pure-token', token: 'LEN', optional: true },
    { name: 'idx', type: 'pure-token', token: 'IDX', optional: true },
    { name: 'len', type: 'integer', token: 'MINMATCHLEN', optional: true },
    { name: 'withmatchlen', type: 'pure-token', token: 'WITHMATCHLEN', optional: true },
  ],
  handler: lcsHandler,
};
