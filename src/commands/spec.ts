import type { Reply } from '../protocol/reply.js';
import type { Session } from '../server/session.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'no_propagate'
  | 'no_multi'
  | 'no_async_loading'
  | 'allow_busy'
  | 'module_getkeys';

export type AclCategory =
  | 'keyspace'
  | 'read'
  | 'write'
  | 'set'
  | 'sortedset'
  | 'list'
  | 'hash'
  | 'string'
  | 'bitmap'
  | 'hyperloglog'
  | 'geo'
  | 'stream'
  | 'pubsub'
  | 'admin'
  | 'fast'
  | 'slow'
  | 'blocking'
  | 'dangerous'
  | 'connection'
  | 'transaction'
  | 'scripting';

export type CommandGroup =
  | 'generic'
  | 'string'
  | 'list'
  | 'set'
  | 'sorted-set'
  | 'hash'
  | 'pubsub'
  | 'transactions'
  | 'connection'
  | 'server'
  | 'scripting'
  | 'hyperloglog'
  | 'cluster'
  | 'sentinel'
  | 'geo'
  | 'stream'
  | 'bitmap';

/** Legacy key positions as COMMAND INFO reports them (1-based argv index; last -1 = to the end). */
export interface KeyPositions {
  first: number;
  last: number;
  step: number;
}

export type KeySpecFlag =
  | 'RO'
  | 'RW'
  | 'OW'
  | 'RM'
  | 'access'
  | 'update'
  | 'insert'
  | 'delete'
  | 'not_key'
  | 'incomplete'
  | 'variable_flags';

/**
 * A Redis 7 key specification: where the search for keys begins (a fixed argv index, or after a
 * keyword) and how keys are found from there (a range, or a count read from the arguments). The
 * key extraction for COMMAND GETKEYS (and cluster slots later) reads these.
 */
export interface KeySpec {
  /** Redis' note on a spec it cannot describe fully (SORT's BY/GET patterns, its STORE). */
  notes?: string;
  flags: readonly KeySpecFlag[];
  /** 'unknown': the keys cannot be found from the arguments' positions alone. */
  begin: { index: number } | { keyword: string; startFrom: number } | 'unknown';
  find: { lastKey: number; keyStep: number; limit: number } | { keynumIndex: number; firstKey: number; keyStep: number } | 'unknown';
}

/** A key found in an argv: its position and its spec's flags. */
export interface FoundKey {
  position: number;
  flags: readonly KeySpecFlag[];
}

/**
 * The argument grammar, as COMMAND DOCS reports it (a subset of Redis' JSON command files:
 * enough for clients that draw hints from it).
 */
export interface ArgumentSpec {
  name: string;
  type: 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  arguments?: ArgumentSpec[];
}

export type Handler = (session: Session, argv: string[]) => Reply;

export interface CommandSpec {
  /** Lower case, as Redis names it; a subcommand is `container|sub`. */
  name: string;
  /** Redis' convention: N means exactly N arguments counting the name, -N at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  keys?: KeyPositions;
  /**
   * Redis 7 key specs, for keys that legacy positions cannot describe (LMPOP's numkeys, ZUNIONSTORE's
   * destination plus numkeys sources) or with flags of their own. Absent: one range spec derived
   * from `keys`.
   */
  /** The flags of the key spec `keys` implies, as Redis declares them (else RW update for write commands, RO access for the rest). */
  keyFlags?: readonly KeySpecFlag[];
  /** Redis' note on that key spec. */
  keyNotes?: string;
  /**
   * For a key spec with variable_flags: the flags its key really has in this argv, as Redis'
   * getkeys_proc reports them to COMMAND GETKEYSANDFLAGS (SET with or without GET, say).
   */
  variableKeyFlags?: (argv: readonly string[]) => readonly KeySpecFlag[];
  keySpecs?: readonly KeySpec[];
  /** Redis' getkeys_proc: finds the keys where the specs cannot (SORT's STORE anywhere in argv). */
  findKeys?: (argv: readonly string[]) => FoundKey[];
  acl: readonly AclCategory[];
  group: CommandGroup;
  since: string;
  summary: string;
  complexity?: string;
  arguments?: readonly ArgumentSpec[];
  /** A container (CONFIG, CLIENT, OBJECT…) dispatches on argv[1] to these. */
  subcommands?: readonly CommandSpec[];
  /** Absent only on containers, which never run themselves. */
  handler?: Handler;
}
