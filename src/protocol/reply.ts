// Typed replies. Handlers return these; only the writer knows the bytes.
// A JS number or bigint is an integer reply, a string is a bulk string (latin1: one char per byte),
// null is the null bulk string; arrays are arrays. Everything else is a small class instance.

export class SimpleString {
  constructor(readonly text: string) {}
}

export class ErrorReply {
  // Not an Error subclass on purpose: a command error is thrown on the hot path and must not
  // capture a stack trace.
  constructor(readonly text: string) {}
}

export class DoubleReply {
  constructor(readonly value: number) {}
}

export class BoolReply {
  private constructor(readonly value: boolean) {}
  static readonly TRUE = new BoolReply(true);
  static readonly FALSE = new BoolReply(false);
  static of(value: boolean): BoolReply {
    return value ? BoolReply.TRUE : BoolReply.FALSE;
  }
}

/** A map: RESP3 `%`, RESP2 a flat array of key, value, key, value… */
export class MapReply {
  constructor(readonly flat: Reply[]) {}
}

/** A set: RESP3 `~`, RESP2 an array. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** Verbatim text: RESP3 `=` with a three-letter format, RESP2 a bulk string. */
export class VerbatimReply {
  constructor(readonly format: string, readonly text: string) {}
}

/** An out-of-band message (pub/sub, invalidation): RESP3 `>`, RESP2 an array. */
export class PushReply {
  constructor(readonly items: Reply[]) {}
}

/** The null array (`*-1` in RESP2, `_` in RESP3), distinct from the null bulk string. */
export class NullArrayReply {
  private constructor() {}
  static readonly INSTANCE = new NullArrayReply();
}

/** A handler that has already arranged its output (or none, e.g. a blocked client) returns this. */
export class NoReply {
  private constructor() {}
  static readonly INSTANCE = new NoReply();
}

export type Reply =
  | number
  | bigint
  | string
  | null
  | Reply[]
  | SimpleString
  | ErrorReply
  | DoubleReply
  | BoolReply
  | MapReply
  | SetReply
  | VerbatimReply
  | PushReply
  | NullArrayReply
  | NoReply;

export const OK = new SimpleString('OK');
export const PONG = new SimpleString('PONG');
export const QUEUED = new SimpleString('QUEUED');
export const NULL_ARRAY = NullArrayReply.INSTANCE;
export const NO_REPLY = NoReply.INSTANCE;
