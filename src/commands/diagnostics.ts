import {
  CommandError,
  ERR_MONITOR_DENY_BLOCKING,
  ERR_NO_LATENCY_SAMPLES,
  ERR_SLOWLOG_COUNT,
  subcommandSyntax,
} from '../protocol/errors.js';
import { NO_REPLY, OK, VerbatimReply, type Reply } from '../protocol/reply.js';
import { latencyDoctor, latencyGraph } from '../server/latency-report.js';
import type { Session } from '../server/session.js';
import { parseInt64 } from './args.js';
import { helpReply } from './server-admin.js';
import type { CommandFlag, CommandSpec } from './spec.js';

// SLOWLOG, LATENCY and MONITOR (Redis 7.0's slowlog.c, latency.c, replication.c monitorCommand);
// the recording itself lives in src/server/diagnostics.ts, hooked into dispatch.

const ADMIN_FLAGS: readonly CommandFlag[] = ['admin', 'loading', 'stale'];
const ADMIN_NOSCRIPT_FLAGS: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const HELP_FLAGS: readonly CommandFlag[] = ['loading', 'stale'];

// ---------------------------------------------------------------- SLOWLOG

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

/** SLOWLOG GET [count]: count from -1 (all) to LONG_MAX, 10 by default, Redis' one error for anything else. */
function slowlogGet(session: Session, argv: string[]): Reply {
  if (argv.length > 3) throw new CommandError(subcommandSyntax(argv[1]!, 'slowlog'));
  let count = 10;
  if (argv.length === 3) {
    const parsed = parseInt64(argv[2]!);
    if (parsed === undefined || parsed < -1) throw new CommandError(ERR_SLOWLOG_COUNT);
    count = typeof parsed === 'bigint' ? Number.MAX_SAFE_INTEGER : parsed;
  }
  return session.server.diagnostics.slowlog.newest(count);
}

const slowlog: CommandSpec = {
  name: 'slowlog',
  arity: -2,
  flags: [],
  acl: ['slow'],
  group: 'server',
  since: '2.2.12',
  summary: 'A container for slow log commands',
  complexity: 'Depends on subcommand.',
  subcommands: [
    {
      name: 'get',
      arity: -2,
      flags: ADMIN_FLAGS,
      acl: ['admin', 'slow', 'dangerous'],
      group: 'server',
      since: '2.2.12',
      summary: "Get the slow log's entries",
      complexity: 'O(N) where N is the number of entries returned',
      arguments: [{ name: 'count', type: 'integer', optional: true }],
      handler: slowlogGet,
    },
    {
      name: 'len',
      arity: 2,
      flags: ADMIN_FLAGS,
      acl: ['admin', 'slow', 'dangerous'],
      group: 'server',
      since: '2.2.12',
      summary: "Get the slow log's length",
      complexity: 'O(1)',
      handler: (session) => session.server.diagnostics.slowlog.length,
    },
    {
      name: 'reset',
      arity: 2,
      flags: ADMIN_FLAGS,
      acl: ['admin', 'slow', 'dangerous'],
      group: 'server',
      since: '2.2.12',
      summary: 'Clear all entries from the slow log',
      complexity: 'O(N) where N is the number of entries in the slowlog',
      handler: (session) => {
        session.server.diagnostics.slowlog.reset();
        return OK;
      },
    },
    {
      name: 'help',
      arity: 2,
      flags: HELP_FLAGS,
      acl: ['slow'],
      group: 'server',
      since: '6.2.0',
      summary: 'Show helpful text about the different subcommands',
      complexity: 'O(1)',
      handler: () => helpReply('SLOWLOG', SLOWLOG_HELP),
    },
  ],
};

// ---------------------------------------------------------------- LATENCY

// Redis' help also lists HISTOGRAM, the per-command latency distributions; this server keeps no
// such histograms (INFO latencystats is empty too), so neither the subcommand nor its help exist.
const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
];

function latencyGraphHandler(session: Session, argv: string[]): Reply {
  const event = argv[2]!;
  const series = session.server.diagnostics.latency.events.get(event);
  if (series === undefined) throw new CommandError(ERR_NO_LATENCY_SAMPLES(event));
  return new VerbatimReply('txt', latencyGraph(event, series));
}

function latencyDoctorHandler(session: Session): Reply {
  const server = session.server;
  const diagnostics = server.diagnostics;
  const report = latencyDoctor(diagnostics.latency, {
    slowlogThresholdMicros: diagnostics.slowlog.thresholdMicros,
    hz: server.config.getInt('hz'),
  });
  return new VerbatimReply('txt', report);
}

/** The LATENCY subcommands past HELP share flags, ACL categories and version. */
function latencySubcommand(spec: Pick<CommandSpec, 'name' | 'arity' | 'summary' | 'arguments' | 'handler'>): CommandSpec {
  return {
    ...spec,
    flags: ADMIN_NOSCRIPT_FLAGS,
    acl: ['admin', 'slow', 'dangerous'],
    group: 'server',
    since: '2.8.13',
    complexity: 'O(1)',
  };
}

const latency: CommandSpec = {
  name: 'latency',
  arity: -2,
  flags: [],
  acl: ['slow'],
  group: 'server',
  since: '2.8.13',
  summary: 'A container for latency diagnostics commands',
  complexity: 'Depends on subcommand.',
  subcommands: [
    latencySubcommand({
      name: 'latest',
      arity: 2,
      summary: 'Return the latest latency samples for all events.',
      handler: (session) => session.server.diagnostics.latency.latest(),
    }),
    latencySubcommand({
      name: 'history',
      arity: 3,
      summary: 'Return timestamp-latency samples for the event.',
      arguments: [{ name: 'event', type: 'string' }],
      handler: (session, argv) => session.server.diagnostics.latency.history(argv[2]!),
    }),
    latencySubcommand({
      name: 'reset',
      arity: -2,
      summary: 'Reset latency data for one or more events.',
      arguments: [{ name: 'event', type: 'string', optional: true, multiple: true }],
      handler: (session, argv) => session.server.diagnostics.latency.reset(argv.slice(2)),
    }),
    latencySubcommand({
      name: 'graph',
      arity: 3,
      summary: 'Return a latency graph for the event.',
      arguments: [{ name: 'event', type: 'string' }],
      handler: latencyGraphHandler,
    }),
    latencySubcommand({
      name: 'doctor',
      arity: 2,
      summary: 'Return a human readable latency analysis report.',
      handler: latencyDoctorHandler,
    }),
    {
      name: 'help',
      arity: 2,
      flags: HELP_FLAGS,
      acl: ['slow'],
      group: 'server',
      since: '2.8.13',
      summary: 'Show helpful text about the different subcommands.',
      complexity: 'O(1)',
      handler: () => helpReply('LATENCY', LATENCY_HELP),
    },
  ],
};

// ---------------------------------------------------------------- MONITOR

/**
 * Redis' monitorCommand: the client joins the monitors and gets +OK; a second MONITOR is
 * ignored without a reply; inside MULTI (a client that must get one reply per command) it fails.
 */
function monitor(session: Session): Reply {
  if (session.denyBlocking) throw new CommandError(ERR_MONITOR_DENY_BLOCKING);
  if (session.monitoring) return NO_REPLY;
  session.monitoring = true;
  session.server.diagnostics.monitors.add(session);
  return OK;
}

const monitorSpec: CommandSpec = {
  name: 'monitor',
  arity: 1,
  flags: ADMIN_NOSCRIPT_FLAGS,
  acl: ['admin', 'slow', 'dangerous'],
  group: 'server',
  since: '1.0.0',
  summary: 'Listen for all requests received by the server in real time',
  handler: monitor,
};

export const diagnosticsCommands: CommandSpec[] = [slowlog, latency, monitorSpec];
