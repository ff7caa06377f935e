// The throughput tests of `npm run bench`: redis-benchmark's own tests (or, where redis-benchmark
// would add an untimed fill to the measured run, the same command given explicitly), with what
// --only matches, the pipeline depths, the requests per run and the target ratio to Redis.

export interface BenchTest {
  /** What --only matches, besides `base` and the groups. */
  id: string;
  /** The test without its variant (SET 1 KB's base is set). */
  base: string;
  groups: readonly string[];
  label: string;
  /** redis-benchmark -t name, or undefined when `command` is run instead. */
  tests: string | undefined;
  /** A command line redis-benchmark runs as given. */
  command: readonly string[] | undefined;
  /** The name redis-benchmark prints in --csv. */
  csvName: string;
  dataSize: number;
  pipelines: readonly number[];
  /** Requests per run, by pipeline depth, sized so one run takes a second or two. */
  requests(pipeline: number): number;
  /** The least ours/redis ops/s ratio this test must reach with -P 16. */
  target: number | undefined;
  /** Untimed commands run before each measured run, so every run starts from the same data. */
  prepare: ((requests: number) => string[][]) | undefined;
}

const stringRequests = (pipeline: number): number => (pipeline === 1 ? 50_000 : 300_000);
const collectionRequests = (): number => 200_000;

function stringTest(id: string, base: string, label: string, tests: string, csvName: string, dataSize = 3): BenchTest {
  return { id, base, groups: ['strings'], label, tests, command: undefined, csvName, dataSize, pipelines: [1, 16], requests: stringRequests, target: undefined, prepare: undefined };
}

function collectionTest(id: string, group: string, label: string, csvName: string, prepare?: (requests: number) => string[][]): BenchTest {
  return { id, base: id, groups: ['collections', group], label, tests: id, command: undefined, csvName, dataSize: 3, pipelines: [16], requests: collectionRequests, target: 0.6, prepare };
}

/** DEL key, then `count` members added with variadic commands of a thousand members each. */
function filled(key: string, count: number, command: string, member: (index: number) => string[]): string[][] {
  const commands = [['DEL', key]];
  for (let start = 0; start < count; start += 1000) {
    const args = [command, key];
    for (let index = start; index < Math.min(count, start + 1000); index++) args.push(...member(index));
    commands.push(args);
  }
  return commands;
}

// redis-benchmark's data for -d 3 is "xxx"; its LPOP/RPOP/SPOP/ZPOPMIN run against whatever
// the push tests left, so each pop run gets a collection of exactly as many members as it pops.
const listOf = (count: number): string[][] => filled('mylist', count, 'RPUSH', () => ['xxx']);
const setOf = (count: number): string[][] => filled('myset', count, 'SADD', (index) => [`element:${index}`]);
const sortedSetOf = (count: number): string[][] => filled('myzset', count, 'ZADD', (index) => [String(index), `element:${index}`]);

export const TESTS: readonly BenchTest[] = [
  stringTest('ping', 'ping', 'PING', 'ping_mbulk', 'PING_MBULK'),
  stringTest('set', 'set', 'SET', 'set', 'SET'),
  stringTest('get', 'get', 'GET', 'get', 'GET'),
  stringTest('incr', 'incr', 'INCR', 'incr', 'INCR'),
  stringTest('mset', 'mset', 'MSET (10 keys)', 'mset', 'MSET (10 keys)'),
  stringTest('set-1k', 'set', 'SET 1 KB', 'set', 'SET', 1024),
  stringTest('get-1k', 'get', 'GET 1 KB', 'get', 'GET', 1024),
  collectionTest('lpush', 'lists', 'LPUSH', 'LPUSH'),
  collectionTest('rpush', 'lists', 'RPUSH', 'RPUSH'),
  collectionTest('lpop', 'lists', 'LPOP', 'LPOP', listOf),
  collectionTest('rpop', 'lists', 'RPOP', 'RPOP', listOf),
  collectionTest('sadd', 'sets', 'SADD', 'SADD'),
  collectionTest('spop', 'sets', 'SPOP', 'SPOP', setOf),
  collectionTest('hset', 'hashes', 'HSET', 'HSET'),
  collectionTest('zadd', 'sorted-sets', 'ZADD', 'ZADD'),
  collectionTest('zpopmin', 'sorted-sets', 'ZPOPMIN', 'ZPOPMIN', sortedSetOf),
  {
    // redis-benchmark's lrange_100 first LPUSHes as many elements as it has requests, in the same
    // run, which would count in the server's CPU time: the list is filled untimed instead and
    // the test's own command run as given.
    id: 'lrange_100',
    base: 'lrange',
    groups: ['collections', 'lists'],
    label: 'LRANGE 0 99 (lrange_100)',
    tests: undefined,
    command: ['LRANGE', 'mylist', '0', '99'],
    csvName: 'LRANGE mylist 0 99',
    dataSize: 3,
    pipelines: [16],
    requests: () => 60_000,
    target: 0.4,
    prepare: () => listOf(1000),
  },
];

/** Every name --only accepts for throughput tests. */
export function testNames(): Set<string> {
  return new Set(TESTS.flatMap((test) => [test.id, test.base, ...test.groups]));
}

export function selected(test: BenchTest, only: ReadonlySet<string> | undefined): boolean {
  return !only || only.has(test.id) || only.has(test.base) || test.groups.some((group) => only.has(group));
}
