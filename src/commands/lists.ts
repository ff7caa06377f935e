import type { Database } from '../datastructures/database.js';
import { LIST_HEAD, LIST_TAIL, ListValue, type ListEnd } from '../datastructures/list.js';
import { CommandError, ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';
import { intArg, isToken, parseInt64 } from './args.js';
import {
  addList,
  elementsRemoved,
  findListSlot,
  integerAtLeast,
  isList,
  lmoveGeneric,
  MOVE_KEY_SPECS,
  mpopGeneric,
  parseListEnd,
  parseMpopArguments,
  popRange,
} from './list-generic.js';
import type { ArgumentSpec, CommandSpec, KeyPositions } from './spec.js';

// The list commands of Redis 7.0's t_list.c (the blocking ones live in blocking.ts and reuse the
// generic functions of list-generic.ts). Every lookup is one find; an emptied list is deleted.

const ERR_INDEX_OUT_OF_RANGE = 'ERR index out of range';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_RANK_ZERO =
  'ERR RANK can\'t be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list';
const EMPTY: Reply[] = [];

/** The list at a slot a read lookup found; WRONGTYPE for another type. */
function listAt(db: Database, slot: number): ListValue {
  const value = db.valueAt(slot);
  if (!isList(value)) throw new CommandError(ERR_WRONGTYPE);
  return value;
}

/** Redis' pushGenericCommand (LPUSH/RPUSH) and pushxGenericCommand (LPUSHX/RPUSHX: only onto an existing list). */
function pushGeneric(session: Session, argv: string[], where: ListEnd, onlyExisting: boolean): Reply {
  const db = session.db;
  const key = argv[1]!;
  const slot = findListSlot(db, key);
  const pushed = argv.length - 2;
  let list: ListValue;
  if (slot < 0) {
    if (onlyExisting) return 0;
    list = new ListValue(pushed);
    addList(session, key, list);
    db.markChanged(pushed - 1);
  } else {
    list = db.valueAt(slot) as ListValue;
    db.markChanged(pushed);
  }
  if (where === LIST_HEAD) for (let i = 2; i < argv.length; i++) list.pushHead(argv[i]!);
  else for (let i = 2; i < argv.length; i++) list.pushTail(argv[i]!);
  return list.size;
}

/**
 * Redis' popGenericCommand (LPOP/RPOP): without a count one element as a bulk string (null when
 * missing); with one an array (the null array when missing, empty for COUNT 0).
 */
export function popGeneric(session: Session, argv: string[], where: ListEnd): Reply {
  if (argv.length > 3) throw new CommandError(wrongArity(where === LIST_HEAD ? 'lpop' : 'rpop'));
  const hasCount = argv.length === 3;
  const count = hasCount ? integerAtLeast(argv[2]!, 0, ERR_POSITIVE) : 0;
  const db = session.db;
  const slot = findListSlot(db, argv[1]!);
  if (slot < 0) return hasCount ? NULL_ARRAY : null;
  const list = db.valueAt(slot) as ListValue;
  if (!hasCount) {
    const element = list.pop(where)!;
    elementsRemoved(db, slot, list, 1);
    return element;
  }
  if (count === 0) return EMPTY;
  return popRange(db, slot, list, where, count);
}

/** Start and end of an inclusive LRANGE/LTRIM range clamped to the list, or start > end when empty. */
let rangeStart = 0;
let rangeEnd = 0;

function clampRange(start: number, end: number, length: number): boolean {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return false;
  if (end >= length) end = length - 1;
  rangeStart = start;
  rangeEnd = end;
  return true;
}

function lrangeCommand(session: Session, argv: string[]): Reply {
  const start = intArg(argv[2]!);
  const end = intArg(argv[3]!);
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  if (slot < 0) return EMPTY;
  const list = listAt(db, slot);
  if (!clampRange(start, end, list.size)) return EMPTY;
  return list.range(rangeStart, rangeEnd - rangeStart + 1);
}

function ltrimCommand(session: Session, argv: string[]): Reply {
  const start = intArg(argv[2]!);
  const end = intArg(argv[3]!);
  const db = session.db;
  const slot = findListSlot(db, argv[1]!);
  if (slot < 0) return OK;
  const list = db.valueAt(slot) as ListValue;
  const length = list.size;
  let removed = length;
  if (clampRange(start, end, length)) {
    list.removeRange(rangeEnd + 1, length - rangeEnd - 1);
    list.removeRange(0, rangeStart);
    removed = length - list.size;
  } else {
    list.removeRange(0, length);
  }
  if (list.size === 0) {
    db.deleteAt(slot);
    db.markChanged(removed - 1);
  } else {
    db.markChanged(removed);
  }
  return OK;
}

function llenCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  return slot < 0 ? 0 : listAt(db, slot).size;
}

function lindexCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  if (slot < 0) return null;
  const list = listAt(db, slot);
  let index = intArg(argv[2]!);
  if (index < 0) index += list.size;
  return index >= 0 && index < list.size ? list.at(index) : null;
}

function lsetCommand(session: Session, argv: string[]): Reply {
  const db = session.db;
  const slot = findListSlot(db, argv[1]!);
  if (slot < 0) throw new CommandError(ERR_NO_SUCH_KEY);
  const list = db.valueAt(slot) as ListValue;
  let index = intArg(argv[2]!);
  if (index < 0) index += list.size;
  if (index < 0 || index >= list.size) throw new CommandError(ERR_INDEX_OUT_OF_RANGE);
  list.set(index, argv[3]!);
  db.markChanged(1);
  return OK;
}

function linsertCommand(session: Session, argv: string[]): Reply {
  let after: boolean;
  if (isToken(argv[2]!, 'AFTER')) after = true;
  else if (isToken(argv[2]!, 'BEFORE')) after = false;
  else throw new CommandError(ERR_SYNTAX);
  const db = session.db;
  const slot = findListSlot(db, argv[1]!);
  if (slot < 0) return 0;
  const list = db.valueAt(slot) as ListValue;
  const pivot = list.indexOf(argv[3]!);
  if (pivot < 0) return -1;
  list.insertAt(after ? pivot + 1 : pivot, argv[4]!);
  db.markChanged(1);
  return list.size;
}

function lremCommand(session: Session, argv: string[]): Reply {
  const count = intArg(argv[2]!);
  const db = session.db;
  const slot = findListSlot(db, argv[1]!);
  if (slot < 0) return 0;
  const list = db.valueAt(slot) as ListValue;
  const removed = list.removeMatching(argv[3]!, Math.abs(count), count < 0);
  if (list.size === 0) {
    db.deleteAt(slot);
    db.markChanged(removed - 1);
  } else {
    db.markChanged(removed);
  }
  return removed;
}

/**
 * Redis' lposCommand. RANK is any int64 but zero; -2^63 cannot be negated, so Redis searches
 * from the tail taking every match as ranked and its COUNT limit never triggers: matched here.
 */
function lposCommand(session: Session, argv: string[]): Reply {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  let countUnlimited = false;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!;
    const more = j + 1 < argv.length;
    if (more && isToken(option, 'RANK')) {
      const value = parseInt64(argv[++j]!);
      if (value === undefined) throw new CommandError(ERR_NOT_INTEGER);
      if (value === 0) throw new CommandError(ERR_RANK_ZERO);
      countUnlimited = value === -9223372036854775808n;
      rank = countUnlimited ? -1 : Number(value);
    } else if (more && isToken(option, 'COUNT')) {
      count = integerAtLeast(argv[++j]!, 0, "ERR COUNT can't be negative");
    } else if (more && isToken(option, 'MAXLEN')) {
      maxlen = integerAtLeast(argv[++j]!, 0, "ERR MAXLEN can't be negative");
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const db = session.db;
  const slot = db.findForRead(argv[1]!);
  if (slot < 0) return count !== -1 ? EMPTY : null;
  const list = listAt(db, slot);
  const element = argv[2]!;
  const length = list.size;
  const limit = maxlen === 0 || maxlen > length ? length : maxlen;
  const found: number[] | null = count !== -1 ? [] : null;
  let matches = 0;
  for (let i = 0; i < limit; i++) {
    const index = fromTail ? length - 1 - i : i;
    if (list.at(index) !== element) continue;
    matches++;
    if (matches < rank) continue;
    if (found === null) return index;
    found.push(index);
    if (count !== 0 && !countUnlimited && matches - rank + 1 >= count) break;
  }
  return found ?? null;
}

function lmoveCommand(session: Session, argv: string[]): Reply {
  const whereFrom = parseListEnd(argv[3]!);
  const whereTo = parseListEnd(argv[4]!);
  return lmoveGeneric(session, argv[1]!, argv[2]!, whereFrom, whereTo);
}

function lmpopCommand(session: Session, argv: string[]): Reply {
  const parsed = parseMpopArguments(argv, 1);
  return mpopGeneric(session, argv, 2, parsed) ?? NULL_ARRAY;
}

const KEY: KeyPositions = { first: 1, last: 1, step: 1 };
const TWO_KEYS: KeyPositions = { first: 1, last: 2, step: 1 };
const KEY_ARGUMENT: ArgumentSpec = { name: 'key', type: 'key' };
const ELEMENTS: readonly ArgumentSpec[] = [KEY_ARGUMENT, { name: 'element', type: 'string', multiple: true }];
const RANGE: readonly ArgumentSpec[] = [KEY_ARGUMENT, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }];
const POP: readonly ArgumentSpec[] = [KEY_ARGUMENT, { name: 'count', type: 'integer', optional: true }];
const LEFT_RIGHT = (name: string): ArgumentSpec => ({
  name,
  type: 'oneof',
  arguments: [
    { name: 'left', type: 'pure-token', token: 'LEFT' },
    { name: 'right', type: 'pure-token', token: 'RIGHT' },
  ],
});
const PUSH_COMPLEXITY = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';

/** LPUSH, RPUSH and their X forms: one declaration shape over pushGeneric. */
function pushCommand(name: string, since: string, summary: string, where: ListEnd, onlyIfExists: boolean): CommandSpec {
  return {
    name,
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'insert'],
    acl: ['write', 'list', 'fast'],
    group: 'list',
    since,
    summary,
    complexity: PUSH_COMPLEXITY,
    arguments: ELEMENTS,
    handler: (session, argv) => pushGeneric(session, argv, where, onlyIfExists),
  };
}

export const listsCommands: CommandSpec[] = [
  pushCommand('lpush', '1.0.0', 'Prepend one or multiple elements to a list', LIST_HEAD, false),
  pushCommand('rpush', '1.0.0', 'Append one or multiple elements to a list', LIST_TAIL, false),
  pushCommand('lpushx', '2.2.0', 'Prepend an element to a list, only if the list exists', LIST_HEAD, true),
  pushCommand('rpushx', '2.2.0', 'Append an element to a list, only if the list exists', LIST_TAIL, true),
  {
    name: 'lpop',
    arity: -2,
    flags: ['write', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'delete'],
    acl: ['write', 'list', 'fast'],
    group: 'list',
    since: '1.0.0',
    summary: 'Remove and get the first elements in a list',
    complexity: 'O(N) where N is the number of elements returned',
    arguments: POP,
    handler: (session, argv) => popGeneric(session, argv, LIST_HEAD),
  },
  {
    name: 'rpop',
    arity: -2,
    flags: ['write', 'fast'],
    keys: KEY,
    keyFlags: ['RW', 'access', 'delete'],
    acl: ['write', 'list', 'fast'],
    group: 'list',
    since: '1.0.0',
    summary: 'Remove and get the last elements in a list',
    complexity: 'O(N) where N is the number of elements returned',
    arguments: POP,
    handler: (session, argv) => popGeneric(session, argv, LIST_TAIL),
  },
  {
    name: 'llen',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: KEY,
    keyFlags: ['RO'],
    acl: ['read', 'list', 'fast'],
    group: 'list',
    since: '1.0.0',
    summary: 'Get the length of a list',
    complexity: 'O(1)',
    arguments: [KEY_ARGUMENT],
    handler: llenCommand,
  },
  {
    name: 'lrange',
    arity: 4,
    flags: ['readonly'],
    keys: KEY,
    acl: ['read', 'list', 'slow'],
    group: 'list',
    since: '1.0.0',
    summary: 'Get a range of elements from a list',
    complexity:
      'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    arguments: RANGE,
    handler: lrangeCommand,
  },
  {
    name: 'lindex',
    arity: 3,
    flags: ['readonly'],
    keys: KEY,
    acl: ['read', 'list', 'slow'],
    group: 'list',
    since: '1.0.0',
    summary: 'Get an element from a list by its index',
    complexity:
      'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    arguments: [KEY_ARGUMENT, { name: 'index', type: 'integer' }],
    handler: lindexCommand,
  },
  {
    name: 'lset',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: KEY,
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '1.0.0',
    summary: 'Set the value of an element in a list by its index',
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    arguments: [KEY_ARGUMENT, { name: 'index', type: 'integer' }, { name: 'element', type: 'string' }],
    handler: lsetCommand,
  },
  {
    name: 'linsert',
    arity: 5,
    flags: ['write', 'denyoom'],
    keys: KEY,
    keyFlags: ['RW', 'insert'],
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '2.2.0',
    summary: 'Insert an element before or after another element in a list',
    complexity:
      'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    arguments: [
      KEY_ARGUMENT,
      {
        name: 'where',
        type: 'oneof',
        arguments: [
          { name: 'before', type: 'pure-token', token: 'BEFORE' },
          { name: 'after', type: 'pure-token', token: 'AFTER' },
        ],
      },
      { name: 'pivot', type: 'string' },
      { name: 'element', type: 'string' },
    ],
    handler: linsertCommand,
  },
  {
    name: 'lrem',
    arity: 4,
    flags: ['write'],
    keys: KEY,
    keyFlags: ['RW', 'delete'],
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '1.0.0',
    summary: 'Remove elements from a list',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    arguments: [KEY_ARGUMENT, { name: 'count', type: 'integer' }, { name: 'element', type: 'string' }],
    handler: lremCommand,
  },
  {
    name: 'ltrim',
    arity: 4,
    flags: ['write'],
    keys: KEY,
    keyFlags: ['RW', 'delete'],
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '1.0.0',
    summary: 'Trim a list to the specified range',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    arguments: RANGE,
    handler: ltrimCommand,
  },
  {
    name: 'lpos',
    arity: -3,
    flags: ['readonly'],
    keys: KEY,
    acl: ['read', 'list', 'slow'],
    group: 'list',
    since: '6.0.6',
    summary: 'Return the index of matching elements on a list',
    complexity:
      'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    arguments: [
      KEY_ARGUMENT,
      { name: 'element', type: 'string' },
      { name: 'rank', type: 'integer', token: 'RANK', optional: true },
      { name: 'num-matches', type: 'integer', token: 'COUNT', optional: true },
      { name: 'len', type: 'integer', token: 'MAXLEN', optional: true },
    ],
    handler: lposCommand,
  },
  {
    name: 'lmove',
    arity: 5,
    flags: ['write', 'denyoom'],
    keys: TWO_KEYS,
    keySpecs: MOVE_KEY_SPECS,
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '6.2.0',
    summary: 'Pop an element from a list, push it to another list and return it',
    complexity: 'O(1)',
    arguments: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }, LEFT_RIGHT('wherefrom'), LEFT_RIGHT('whereto')],
    handler: lmoveCommand,
  },
  {
    name: 'rpoplpush',
    arity: 3,
    flags: ['write', 'denyoom'],
    keys: TWO_KEYS,
    keySpecs: MOVE_KEY_SPECS,
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '1.2.0',
    summary: 'Remove the last element in a list, prepend it to another list and return it',
    complexity: 'O(1)',
    arguments: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }],
    handler: (session, argv) => lmoveGeneric(session, argv[1]!, argv[2]!, LIST_TAIL, LIST_HEAD),
  },
  {
    name: 'lmpop',
    arity: -4,
    flags: ['write'],
    keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { keynumIndex: 0, firstKey: 1, keyStep: 1 } }],
    acl: ['write', 'list', 'slow'],
    group: 'list',
    since: '7.0.0',
    summary: 'Pop elements from a list',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    arguments: [
      { name: 'numkeys', type: 'integer' },
      { name: 'key', type: 'key', multiple: true },
      LEFT_RIGHT('where'),
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: lmpopCommand,
  },
];
