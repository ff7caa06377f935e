import type { LatencyMonitor, LatencySeries } from './latency.js';

// LATENCY DOCTOR and LATENCY GRAPH: the human-readable views of the latency monitor, worded and
// drawn as Redis 7.0's latency.c and sparkline.c do.

/** What the doctor's advice depends on besides the samples. */
export interface DoctorSettings {
  slowlogThresholdMicros: number;
  hz: number;
}

interface SeriesStats {
  samples: number;
  average: number;
  meanDeviation: number;
  /** Seconds from the oldest sample to now, at least 1. */
  period: number;
}

/**
 * printf's %.2f of numerator / denominator: exact, and an exact half rounds to even as glibc
 * does (1/8 prints 0.12), where toFixed would round it up.
 */
function twoDecimals(numerator: number, denominator: number): string {
  let hundredths = Math.floor((numerator * 100) / denominator);
  const twiceRemainder = 2 * (numerator * 100 - hundredths * denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && hundredths % 2 === 1)) hundredths++;
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** Redis' analyzeLatencyForEvent: integer average and mean absolute deviation of the samples. */
function analyze(series: LatencySeries, now: number): SeriesStats {
  const samples = series.samples();
  if (samples.length === 0) return { samples: 0, average: 0, meanDeviation: 0, period: 0 };
  let sum = 0;
  let oldest = samples[0]![0];
  for (const [time, latency] of samples) {
    sum += latency;
    if (time < oldest) oldest = time;
  }
  const average = Math.floor(sum / samples.length);
  let deviation = 0;
  for (const [, latency] of samples) deviation += Math.abs(average - latency);
  return {
    samples: samples.length,
    average,
    meanDeviation: Math.floor(deviation / samples.length),
    period: now - oldest || 1,
  };
}

const DISABLED =
  'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n';
const SPIKES_SEEN = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
const NO_SPIKES =
  'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
const NO_ADVICE =
  "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
const ADVICE_INTRO = '\nI have a few advices for you:\n\n';
const ADVICE_SLOWLOG_INSPECT =
  '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n';
const ADVICE_SCHEDULER =
  '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
  '  1) Lower the system load.\n' +
  '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
  '  3) Check if you have a "noisy neighbour" problem.\n' +
  "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
  '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n';
const ADVICE_HZ =
  "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
const ADVICE_LARGE_OBJECTS =
  '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
const ADVICE_MASS_EVICTION =
  "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n";

/**
 * Redis' createLatencyReport for the events this server produces (command, fast-command,
 * expire-cycle, eviction-del, eviction-cycle); the disk, fork and AOF advice has no event here.
 */
export function latencyDoctor(monitor: LatencyMonitor, settings: DoctorSettings): string {
  if (monitor.events.size === 0 && monitor.thresholdMs === 0) return DISABLED;
  const now = Math.floor(Date.now() / 1000);
  let report = '';
  let eventNumber = 0;
  let advices = 0;
  let slowlogEnable = false;
  let slowlogTuning = false;
  let slowlogInspect = false;
  let scheduler = false;
  let hz = false;
  let largeObjects = false;
  let massEviction = false;
  for (const [event, series] of monitor.events) {
    eventNumber++;
    if (eventNumber === 1) report += SPIKES_SEEN;
    const stats = analyze(series, now);
    report +=
      `${eventNumber}. ${event}: ${stats.samples} latency spikes (average ${stats.average}ms, mean deviation ` +
      `${stats.meanDeviation}ms, period ${twoDecimals(stats.period, stats.samples)} sec). Worst all time event ${series.max}ms.`;
    switch (event.toLowerCase()) {
      case 'command':
        // 7.0 advises enabling the log only when it is off (-1), not when slowlog-max-len is 0.
        if (settings.slowlogThresholdMicros < 0) {
          slowlogEnable = true;
          advices++;
        } else if (Math.trunc(settings.slowlogThresholdMicros / 1000) > monitor.thresholdMs) {
          slowlogTuning = true;
          advices++;
        }
        slowlogInspect = true;
        largeObjects = true;
        advices += 2;
        break;
      case 'fast-command':
        scheduler = true;
        advices++;
        break;
      case 'expire-cycle':
        hz = true;
        largeObjects = true;
        advices += 2;
        break;
      case 'eviction-del':
        largeObjects = true;
        advices++;
        break;
      case 'eviction-cycle':
        massEviction = true;
        advices++;
        break;
    }
    report += '\n';
  }
  if (eventNumber === 0 && advices === 0) return report + NO_SPIKES;
  if (advices === 0) return report + NO_ADVICE;
  report += ADVICE_INTRO;
  const suggested = monitor.thresholdMs * 1000;
  if (slowlogEnable) {
    report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${suggested}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  }
  if (slowlogTuning) {
    report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${suggested}'.\n`;
  }
  if (slowlogInspect) report += ADVICE_SLOWLOG_INSPECT;
  if (scheduler) report += ADVICE_SCHEDULER;
  if (hz && settings.hz < 100) report += ADVICE_HZ;
  if (largeObjects) report += ADVICE_LARGE_OBJECTS;
  if (massEviction) report += ADVICE_MASS_EVICTION;
  return report;
}

/** Redis' LATENCY_GRAPH_COLS; the sparkline wraps into blocks this wide. */
const GRAPH_COLUMNS = 80;
const GRAPH_ROWS = 4;
/** sparkline.c's fill charset: three heights per row, '|' below the top of a bar. */
const FILL_CHARS = '_o#';
const CHARS_PER_ROW = FILL_CHARS.length;

/** How long ago a sample was, as the graph's vertical label: 5s, 3m, 2h, 1d. */
function ageLabel(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / 86400)}d`;
}

/** sparklineRenderRange: bars of `rows` lines, then a blank line and the labels written downwards. */
function renderRange(values: readonly number[], labels: readonly string[], min: number, max: number, offset: number, length: number): string {
  const range = max - min === 0 ? 1 : max - min;
  const steps = CHARS_PER_ROW * GRAPH_ROWS;
  let output = '';
  for (let row = 0; ; row++) {
    let more = false;
    const chars = new Array<string>(length).fill(' ');
    for (let j = 0; j < length; j++) {
      let step = Math.trunc(Math.trunc((values[offset + j]! - min) * steps) / range);
      if (step >= steps) step = steps - 1;
      if (row < GRAPH_ROWS) {
        more = true;
        const index = step - (GRAPH_ROWS - row - 1) * CHARS_PER_ROW;
        if (index >= 0 && index < CHARS_PER_ROW) chars[j] = FILL_CHARS[index]!;
        else if (index >= CHARS_PER_ROW) chars[j] = '|';
      } else {
        // One blank line between the bars and the labels (every sample here has a label).
        if (row - GRAPH_ROWS < 1) {
          more = true;
          break;
        }
        const label = labels[offset + j]!;
        const position = row - GRAPH_ROWS - 1;
        if (label.length > position) {
          more = true;
          chars[j] = label[position]!;
        }
      }
    }
    if (!more) return output;
    output += `${chars.join('')}\n`;
  }
}

/** LATENCY GRAPH: the header with high, low and all-time high, a rule, then the sparkline. */
export function latencyGraph(event: string, series: LatencySeries): string {
  const now = Math.floor(Date.now() / 1000);
  const samples = series.samples();
  const values = samples.map(([, latency]) => latency);
  const labels = samples.map(([time]) => ageLabel(now - time));
  const min = Math.min(...values);
  const max = Math.max(...values);
  let graph = `${event} - high ${max} ms, low ${min} ms (all time high ${series.max} ms)\n${'-'.repeat(GRAPH_COLUMNS)}\n`;
  for (let j = 0; j < values.length; j += GRAPH_COLUMNS) {
    if (j !== 0) graph += '\n';
    graph += renderRange(values, labels, min, max, j, Math.min(GRAPH_COLUMNS, values.length - j));
  }
  return graph;
}
