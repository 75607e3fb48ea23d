import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { JobLoop, type JobLoopOptions } from '../../src/jobs/loop.ts';

const INTERVAL = 1000;

/** Lets every promise callback that is ready run; setImmediate is not mocked, so this is no wall-clock wait. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A loop on mocked timers whose steps each wait for the test: `finish(i, more)` ends step i (from 0),
 * `fail(i, err)` makes it reject. `running` counts the steps in flight, `most` the most ever at once.
 */
function setup(t: TestContext, o: Partial<JobLoopOptions> = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const steps: PromiseWithResolvers<boolean>[] = [];
  const errors: unknown[] = [];
  const s = { running: 0, most: 0 };
  const loop = new JobLoop({
    intervalMs: INTERVAL,
    step: async () => {
      const d = Promise.withResolvers<boolean>();
      steps.push(d);
      s.most = Math.max(s.most, ++s.running);
      try {
        return await d.promise;
      } finally {
        s.running--;
      }
    },
    onError: (err) => errors.push(err),
    ...o,
  });
  t.after(async () => {
    const stopped = loop.stop();
    for (const d of steps) d.resolve(false);
    await stopped;
  });
  const finish = async (i: number, more = false) => {
    steps[i]!.resolve(more);
    await settle();
  };
  const fail = async (i: number, err: unknown) => {
    steps[i]!.reject(err);
    await settle();
  };
  const tick = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settle();
  };
  return { loop, steps, errors, s, finish, fail, tick };
}

test('a step that reports more work is followed by the next at once', async (t) => {
  const { loop, steps, finish, tick } = setup(t);
  loop.start();
  assert.equal(steps.length, 1, 'the first step starts with the loop');
  await finish(0, true);
  assert.equal(steps.length, 2);
  await finish(1, true);
  assert.equal(steps.length, 3);
  await finish(2);
  await tick(INTERVAL - 1);
  assert.equal(steps.length, 3, 'no more work: it sleeps');
});

test('otherwise the loop sleeps one interval between steps', async (t) => {
  const { loop, steps, finish, tick } = setup(t);
  loop.start();
  loop.start();
  assert.equal(steps.length, 1, 'start() is idempotent');
  await finish(0);
  await tick(INTERVAL - 1);
  assert.equal(steps.length, 1);
  await tick(1);
  assert.equal(steps.length, 2);
  await finish(1);
  await tick(INTERVAL);
  assert.equal(steps.length, 3);
});

test('wake() cuts a sleep short, and a wake during a step is not lost', async (t) => {
  const { loop, steps, finish, tick } = setup(t);
  loop.start();
  await finish(0);
  loop.wake();
  await settle();
  assert.equal(steps.length, 2, 'woken from its sleep');

  loop.wake();
  await finish(1);
  assert.equal(steps.length, 3, 'the wake that came while step 1 ran: step 2 runs at once');
  await finish(2);
  await tick(INTERVAL - 1);
  assert.equal(steps.length, 3, 'one wake is one extra step, not more');
  await tick(1);
  assert.equal(steps.length, 4, 'and the interval applies again');
});

test('a step that rejects is reported and the loop goes on', async (t) => {
  const boom = new Error('database down');
  const { loop, steps, errors, fail, tick } = setup(t);
  loop.start();
  await fail(0, boom);
  assert.deepEqual(errors, [boom]);
  await tick(INTERVAL);
  assert.equal(steps.length, 2, 'the next step comes after the interval');
});

test('so is a step that throws before returning a promise', async (t) => {
  let calls = 0;
  const boom = new Error('bad step');
  const step = () => {
    if (++calls === 1) throw boom;
    return Promise.resolve(false);
  };
  const { loop, errors, tick } = setup(t, { step });
  loop.start();
  await settle();
  assert.deepEqual(errors, [boom]);
  await tick(INTERVAL);
  assert.equal(calls, 2);
});

test('two steps never overlap, whatever wakes or timers come meanwhile', async (t) => {
  const { loop, steps, s, finish, tick } = setup(t);
  loop.start();
  loop.wake();
  loop.wake();
  await tick(5 * INTERVAL);
  loop.start();
  assert.equal(steps.length, 1);
  await finish(0);
  await finish(1);
  assert.equal(steps.length, 2, 'the wakes made one extra step');
  assert.equal(s.most, 1);
});

test('stop() waits for the step in flight, and no step starts after it', async (t) => {
  const { loop, steps, finish, tick } = setup(t);
  loop.start();
  let stopped = false;
  const stopping = loop.stop().then(() => {
    stopped = true;
  });
  loop.wake();
  await settle();
  assert.equal(stopped, false, 'step 0 still runs');
  await finish(0, true);
  await stopping;
  assert.equal(stopped, true);
  await tick(5 * INTERVAL);
  assert.equal(steps.length, 1, 'neither more work nor a wake starts another step');
});

test('a step that fails while stop() waits is reported before stop() resolves', async (t) => {
  const boom = new Error('database down');
  const { loop, steps, errors } = setup(t);
  loop.start();
  const stopping = loop.stop();
  steps[0]!.reject(boom);
  await stopping;
  assert.deepEqual(errors, [boom]);
});

test('a start() while stop() waits resumes the same loop: stop() resolves with its step; none overlap', async (t) => {
  const { loop, steps, s, finish, tick } = setup(t);
  loop.start();
  const stopping = loop.stop();
  loop.start();
  assert.equal(steps.length, 1);
  await finish(0);
  await stopping;
  await tick(INTERVAL);
  assert.equal(steps.length, 2, 'the loop goes on');
  assert.equal(s.most, 1);
});

test('stop() ends a sleep at once, and start() resumes the loop', async (t) => {
  const { loop, steps, finish } = setup(t);
  loop.start();
  await finish(0);
  await loop.stop();
  loop.start();
  assert.equal(steps.length, 2, 'a restarted loop runs at once');
});

test('the first step can wait one interval', async (t) => {
  const { loop, steps, tick } = setup(t, { firstDelay: 'interval' });
  loop.start();
  assert.equal(steps.length, 0);
  await tick(INTERVAL - 1);
  assert.equal(steps.length, 0);
  await tick(1);
  assert.equal(steps.length, 1);
});

test('or a random part of one interval, drawn from the injected random01 (jitter)', async (t) => {
  const draws: number[] = [];
  const random01 = () => {
    draws.push(0.25);
    return 0.25;
  };
  const { loop, steps, finish, tick } = setup(t, { firstDelay: 'random', random01 });
  loop.start();
  await tick(INTERVAL / 4 - 1);
  assert.equal(steps.length, 0);
  await tick(1);
  assert.equal(steps.length, 1, 'after a quarter of the interval');
  await finish(0);
  await tick(INTERVAL);
  assert.equal(steps.length, 2, 'then whole intervals');
  assert.deepEqual(draws, [0.25], 'one draw, for the first step only');
});
