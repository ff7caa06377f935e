import { EvictResult } from '../datastructures/eviction.js';
import { CommandError, ERR_NOAUTH, ERR_OOM, ERR_REPLICA_KEYSPACE, unknownCommand, unknownSubcommand, wrongArity } from '../protocol/errors.js';
import { ErrorReply, type Reply } from '../protocol/reply.js';
import type { Command } from '../commands/registry.js';
import type { Session } from './session.js';

/**
 * Runs one command for a session: lookup, then Redis' checks in processCommand's order (arity,
 * authentication, a monitoring client touching keys; MULTI, cluster slots, replica read-only and
 * OOM hook in here as they arrive), then the handler, its reply, the statistics, the slow log,
 * the latency monitor and the MONITOR feed.
 */
export function executeCommand(session: Session, argv: string[]): void {
  const server = session.server;
  let command = server.commands.lookup(argv[0]!);
  // A container called alone is itself the command (COMMAND runs, CONFIG fails its arity), as
  // Redis' lookupCommandLogic does; otherwise argv[1] picks the subcommand.
  if (command !== undefined && command.subcommands !== undefined && argv.length >= 2) {
    const sub = command.subcommands.get(argv[1]!.toLowerCase());
    if (sub === undefined) {
      session.lastCommand = 'NULL';
      reject(session, undefined, unknownSubcommand(argv[1]!, command.name));
      return;
    }
    command = sub;
  }
  if (command === undefined) {
    session.lastCommand = 'NULL';
    reject(session, undefined, unknownCommand(argv));
    return;
  }
  // CLIENT LIST's cmd= is the last command looked up, rejected or not (Redis' c->lastcmd).
  session.lastCommand = command.fullName;
  if (!command.arityOk(argv.length)) {
    reject(session, command, wrongArity(command.fullName));
    return;
  }
  if (!session.authenticated && !command.noAuth) {
    reject(session, command, ERR_NOAUTH);
    return;
  }
  // Redis' processCommand: over maxmemory, keys are evicted before any command runs; when none
  // can go, a command that may grow memory (denyoom) is refused. Under the limit: one comparison.
  const meter = server.keyspace.meter;
  if (meter.used > meter.limit && server.evict() === EvictResult.Fail && command.denyOom) {
    reject(session, command, ERR_OOM);
    return;
  }
  // Redis flags a monitoring client as a replica, and a replica may not read or write keys.
  if (session.monitoring && command.touchesKeyspace) {
    reject(session, command, ERR_REPLICA_KEYSPACE);
    return;
  }
  run(session, command, argv);
}

function run(session: Session, command: Command, argv: string[]): void {
  const server = session.server;
  let reply: Reply;
  try {
    reply = command.handler!(session, argv);
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    reply = error;
  }
  // One clock read per command: the time since the previous command ended (or the batch began),
  // which adds the few hundred nanoseconds of parsing to the command's own time.
  const finished = performance.now();
  const elapsed = finished - server.commandClock;
  server.commandClock = finished;
  command.calls++;
  command.usec += elapsed * 1000;
  server.stats.totalCommandsProcessed++;
  if (reply instanceof ErrorReply) {
    command.failedCalls++;
    server.stats.countError(reply.text);
  }
  if (session.replyMode === 'on') session.writer.write(reply);
  else advanceReplyMode(session);
  // As in Redis' call(): the slow log and latency sample, then the monitors, after the reply.
  const diagnostics = server.diagnostics;
  if (elapsed >= diagnostics.triggerMs) diagnostics.recordSlowCommand(session, command, argv, elapsed);
  if (diagnostics.monitors.count > 0) diagnostics.feedMonitors(session, command, argv);
  // Redis' handleClientsBlockedOnKeys after call(): the one check the request path pays for it.
  if (server.blocking.blockedCount > 0) server.blocking.afterCommand(session);
}

/** CLIENT REPLY SKIP silences the command after it: skip-next becomes skip, skip becomes on. */
function advanceReplyMode(session: Session): void {
  if (session.replyMode === 'skip') session.replyMode = 'on';
  else if (session.replyMode === 'skip-next') session.replyMode = 'skip';
}

function reject(session: Session, command: Command | undefined, text: string): void {
  if (command !== undefined) command.rejectedCalls++;
  session.server.stats.countError(text);
  if (session.replyMode === 'on') session.writer.error(text);
  else advanceReplyMode(session);
}
