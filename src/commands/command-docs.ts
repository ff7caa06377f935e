import { stringMatch } from '../datastructures/glob.js';
import { CommandError, ERR_SYNTAX } from '../protocol/errors.js';
import { MapReply, SetReply, SimpleString, type Reply } from '../protocol/reply.js';
import type { Command } from './registry.js';
import { hasMovableKeys, keySpecsOf, keysOf } from './key-specs.js';
import type { ArgumentSpec, CommandSpec, FoundKey } from './spec.js';
import type { Session } from '../server/session.js';

// COMMAND and its subcommands: the command table described the way Redis 7.0 describes its own
// (server.c commandCommand, addReplyCommandInfo, addReplyCommandDocs), all read from the specs.

const ERR_INVALID_COMMAND = 'ERR Invalid command specified';
const ERR_NO_KEYS = 'ERR The command has no key arguments';
const ERR_INVALID_ARGC = 'ERR Invalid number of arguments specified for command';
const ERR_INVALID_ARGS = 'ERR Invalid arguments specified for command';

/** A command or `container|sub`, as COMMAND INFO and DOCS accept names. */
function findByName(session: Session, name: string): Command | undefined {
  const lower = name.toLowerCase();
  const bar = lower.indexOf('|');
  if (bar < 0) return session.server.commands.get(lower);
  return session.server.commands.get(lower.slice(0, bar))?.subcommands?.get(lower.slice(bar + 1));
}

/** Every command and subcommand, each container followed by its subcommands. */
function* everyCommand(session: Session): Generator<Command> {
  for (const command of session.server.commands.all()) {
    yield command;
    if (command.subcommands) yield* command.subcommands.values();
  }
}

/** COMMAND INFO's key specs, in Redis' reply shape; a set in RESP3, as Redis sends it. */
function keySpecsReply(spec: CommandSpec): SetReply {
  return new SetReply(
    keySpecsOf(spec).map((keySpec) => {
      const begin = keySpec.begin;
      const find = keySpec.find;
      return new MapReply([
        ...(keySpec.notes !== undefined ? ['notes', keySpec.notes] : []),
        'flags',
        new SetReply(keySpec.flags.map((flag) => new SimpleString(flag))),
        'begin_search',
        begin === 'unknown'
          ? new MapReply(['type', 'unknown', 'spec', new MapReply([])])
          : 'index' in begin
            ? new MapReply(['type', 'index', 'spec', new MapReply(['index', begin.index])])
            : new MapReply(['type', 'keyword', 'spec', new MapReply(['keyword', begin.keyword, 'startfrom', begin.startFrom])]),
        'find_keys',
        find === 'unknown'
          ? new MapReply(['type', 'unknown', 'spec', new MapReply([])])
          : 'keynumIndex' in find
            ? new MapReply(['type', 'keynum', 'spec', new MapReply(['keynumidx', find.keynumIndex, 'firstkey', find.firstKey, 'keystep', find.keyStep])])
            : new MapReply(['type', 'range', 'spec', new MapReply(['lastkey', find.lastKey, 'keystep', find.keyStep, 'limit', find.limit])]),
      ]);
    }),
  );
}

/** COMMAND INFO's ten fields: name, arity, flags, first/last/step, ACL categories, tips, key specs, subcommands. */
function commandInfo(command: Command): Reply {
  const spec = command.spec;
  const keys = spec.keys ?? { first: 0, last: 0, step: 0 };
  return [
    command.fullName,
    spec.arity,
    new SetReply([...spec.flags, ...(hasMovableKeys(spec) ? ['movablekeys'] : [])].map((flag) => new SimpleString(flag))),
    keys.first,
    keys.last,
    keys.step,
    new SetReply(spec.acl.map((category) => new SimpleString(`@${category}`))),
    new SetReply([]),
    keySpecsReply(spec),
    command.subcommands ? [...command.subcommands.values()].map(commandInfo) : new SetReply([]),
  ];
}

function argumentDocs(args: readonly ArgumentSpec[]): Reply[] {
  return args.map((arg) => {
    const flat: Reply[] = ['name', arg.name, 'type', arg.type];
    // Only the one legacy key spec exists, so every key argument refers to spec 0.
    if (arg.type === 'key') flat.push('key_spec_index', 0);
    if (arg.token !== undefined) flat.push('token', arg.token);
    const flags: Reply[] = [];
    if (arg.optional) flags.push(new SimpleString('optional'));
    if (arg.multiple) flags.push(new SimpleString('multiple'));
    if (flags.length > 0) flat.push('flags', new SetReply(flags));
    if (arg.arguments !== undefined) flat.push('arguments', argumentDocs(arg.arguments));
    return new MapReply(flat);
  });
}

/** COMMAND DOCS' map for one command: summary, since, group, complexity, arguments, subcommands. */
function commandDocs(command: Command): Reply {
  const spec = command.spec;
  const flat: Reply[] = ['summary', spec.summary, 'since', spec.since, 'group', spec.group];
  if (spec.complexity !== undefined) flat.push('complexity', spec.complexity);
  if (spec.arguments !== undefined && spec.arguments.length > 0) flat.push('arguments', argumentDocs(spec.arguments));
  if (command.subcommands) {
    const subs: Reply[] = [];
    for (const sub of command.subcommands.values()) subs.push(sub.fullName, commandDocs(sub));
    flat.push('subcommands', new MapReply(subs));
  }
  return new MapReply(flat);
}

function infoHandler(session: Session, argv: string[]): Reply {
  if (argv.length <= 2) return [...session.server.commands.all()].map(commandInfo);
  const replies: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const command = findByName(session, argv[i]!);
    replies.push(command === undefined ? null : commandInfo(command));
  }
  return replies;
}

function docsHandler(session: Session, argv: string[]): Reply {
  const flat: Reply[] = [];
  if (argv.length <= 2) {
    for (const command of session.server.commands.all()) flat.push(command.fullName, commandDocs(command));
    return new MapReply(flat);
  }
  // Unknown names are left out, as Redis does.
  for (let i = 2; i < argv.length; i++) {
    const command = findByName(session, argv[i]!);
    if (command !== undefined) flat.push(command.fullName, commandDocs(command));
  }
  return new MapReply(flat);
}

function listHandler(session: Session, argv: string[]): Reply {
  if (argv.length === 2) return [...everyCommand(session)].map((command) => command.fullName);
  if (argv.length !== 5 || argv[2]!.toLowerCase() !== 'filterby') throw new CommandError(ERR_SYNTAX);
  const filter = argv[3]!.toLowerCase();
  const value = argv[4]!;
  const names: Reply[] = [];
  if (filter === 'module') return names; // No modules are ever loaded.
  if (filter === 'aclcat') {
    const category = value.toLowerCase();
    for (const command of everyCommand(session)) {
      if ((command.spec.acl as readonly string[]).includes(category)) names.push(command.fullName);
    }
    return names;
  }
  if (filter === 'pattern') {
    for (const command of everyCommand(session)) if (stringMatch(value, command.fullName, true)) names.push(command.fullName);
    return names;
  }
  throw new CommandError(ERR_SYNTAX);
}

/** The command a GETKEYS argument vector names (its subcommand for containers) and the keys found in it. */
function keysInGetKeys(session: Session, argv: string[]): FoundKey[] {
  const args = argv.slice(2);
  let command = session.server.commands.lookup(args[0]!);
  if (command === undefined) throw new CommandError(ERR_INVALID_COMMAND);
  if (command.subcommands !== undefined && args.length >= 2) {
    command = command.subcommands.get(args[1]!.toLowerCase());
    if (command === undefined) throw new CommandError(ERR_INVALID_COMMAND);
  }
  // Redis checks for key arguments before the argument count.
  const specs = keySpecsOf(command.spec);
  if (specs.length === 0) throw new CommandError(ERR_NO_KEYS);
  if (!command.arityOk(args.length)) throw new CommandError(ERR_INVALID_ARGC);
  const found = keysOf(command.spec, args);
  if (found === undefined || (found.length === 0 && !command.spec.flags.includes('no_mandatory_keys'))) {
    throw new CommandError(ERR_INVALID_ARGS);
  }
  return found.map((key) => ({ position: key.position + 2, flags: key.flags }));
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

const FLAGS = ['loading', 'stale'] as const;
const ACL = ['slow', 'connection'] as const;

const sub = (spec: Omit<CommandSpec, 'flags' | 'acl' | 'group'>): CommandSpec => ({ flags: FLAGS, acl: ACL, group: 'server', ...spec });

const command: CommandSpec = {
  name: 'command',
  arity: -1,
  flags: FLAGS,
  acl: ACL,
  group: 'server',
  since: '2.8.13',
  summary: 'Get array of Redis command details',
  complexity: 'O(N) where N is the total number of Redis commands',
  // COMMAND alone describes every command, as COMMAND INFO with no names does.
  handler: (session) => [...session.server.commands.all()].map(commandInfo),
  subcommands: [
    sub({
      name: 'count',
      arity: 2,
      since: '2.8.13',
      summary: 'Get total number of Redis commands',
      complexity: 'O(1)',
      handler: (session) => session.server.commands.size,
    }),
    sub({
      name: 'getkeysandflags',
      arity: -4,
      since: '7.0.0',
      summary: 'Extract keys and access flags given a full Redis command',
      complexity: 'O(N) where N is the number of arguments to the command',
      handler: (session, argv) => {
        return keysInGetKeys(session, argv).map((key) => [argv[key.position]!, new SetReply(key.flags.map((flag) => new SimpleString(flag)))]);
      },
    }),
    sub({
      name: 'help',
      arity: 2,
      since: '5.0.0',
      summary: 'Show helpful text about the different subcommands',
      complexity: 'O(1)',
      handler: () => COMMAND_HELP.map((line) => new SimpleString(line)),
    }),
    sub({
      name: 'info',
      arity: -2,
      since: '2.8.13',
      summary: 'Get array of specific Redis command details, or all when no argument is given.',
      complexity: 'O(N) where N is the number of commands to look up',
      arguments: [{ name: 'command-name', type: 'string', optional: true, multiple: true }],
      handler: infoHandler,
    }),
    sub({
      name: 'docs',
      arity: -2,
      since: '7.0.0',
      summary: 'Get array of specific Redis command documentation',
      complexity: 'O(N) where N is the number of commands to look up',
      arguments: [{ name: 'command-name', type: 'string', optional: true, multiple: true }],
      handler: docsHandler,
    }),
    sub({
      name: 'list',
      arity: -2,
      since: '7.0.0',
      summary: 'Get an array of Redis command names',
      complexity: 'O(N) where N is the total number of Redis commands',
      arguments: [
        {
          name: 'filterby',
          type: 'oneof',
          token: 'FILTERBY',
          optional: true,
          arguments: [
            { name: 'module-name', type: 'string', token: 'MODULE' },
            { name: 'category', type: 'string', token: 'ACLCAT' },
            { name: 'pattern', type: 'pattern', token: 'PATTERN' },
          ],
        },
      ],
      handler: listHandler,
    }),
    sub({
      name: 'getkeys',
      arity: -4,
      since: '2.8.13',
      summary: 'Extract keys given a full Redis command',
      complexity: 'O(N) where N is the number of arguments to the command',
      handler: (session, argv) => keysInGetKeys(session, argv).map((key) => argv[key.position]!),
    }),
  ],
};

export const commandDocsCommands: CommandSpec[] = [command];
