import { runPaced, runWindow, runWindowBatches, type BenchTimer } from '../../bench/client-workloads';

/** Time moves only when the code under test sleeps or a fake publish says so. */
class SteppingTimer implements BenchTimer {
  at = 0;
  now(): number {
    return this.at;
  }
  async sleep(ms: number): Promise<void> {
    this.at += ms;
  }
}

function countingPublish(timer: SteppingTimer) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const publish = async (): Promise<void> => {
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    await new Promise(setImmediate);
    timer.at += 1;
    stats.inFlight--;
  };
  return { stats, publish };
}

describe('client benchmark workloads', () => {
  it('runWindow keeps exactly `window` publishes in flight and counts each acknowledged one', async () => {
    const timer = new SteppingTimer();
    const { stats, publish } = countingPublish(timer);
    const result = await runWindow(publish, 8, 100, timer);
    expect(stats.maxInFlight).toBe(8);
    expect(result.messages).toBe(stats.calls);
    expect(result.messages).toBeGreaterThanOrEqual(100);
    expect(result.elapsedMs).toBe(timer.at);
    expect(result.messagesPerSecond).toBeCloseTo((result.messages * 1000) / result.elapsedMs);
  });

  it('runWindow counts every message of a batch publish', async () => {
    const timer = new SteppingTimer();
    const { stats, publish } = countingPublish(timer);
    const result = await runWindow(publish, 2, 10, timer, 32);
    expect(result.messages).toBe(stats.calls * 32);
  });

  it('runWindowBatches publishes whole windows and waits for each', async () => {
    const timer = new SteppingTimer();
    const { stats, publish } = countingPublish(timer);
    const result = await runWindowBatches(publish, 16, 50, timer);
    expect(stats.maxInFlight).toBe(16);
    expect(stats.calls % 16).toBe(0);
    expect(result.messages).toBe(stats.calls);
  });

  it('runPaced sends rate × duration messages, each no earlier than its slot', async () => {
    const timer = new SteppingTimer();
    const sentAt: number[] = [];
    const result = await runPaced(
      async (index) => {
        sentAt[index] = timer.now();
      },
      2000,
      50,
      timer,
    );
    expect(result.sent).toBe(100);
    expect(sentAt).toHaveLength(100);
    // Message i belongs at i / 2 ms; with a 1 ms tick it goes out within that tick.
    sentAt.forEach((at, index) => {
      expect(at).toBeGreaterThanOrEqual(Math.floor(index / 2));
      expect(at).toBeLessThanOrEqual(index / 2 + 1);
    });
    expect(result.maxLagMs).toBeLessThanOrEqual(1);
  });

  it('runPaced reports how far it fell behind when sends are late', async () => {
    const timer = new SteppingTimer();
    const result = await runPaced(
      async (index) => {
        if (index === 10) timer.at += 20; // one send stalls the loop for 20 ms
      },
      1000,
      40,
      timer,
    );
    expect(result.sent).toBe(40);
    expect(result.maxLagMs).toBeGreaterThanOrEqual(20);
  });

  it('runPaced fails with the first failed send', async () => {
    const timer = new SteppingTimer();
    const failure = new Error('refused');
    await expect(
      runPaced(async (index) => (index === 3 ? Promise.reject(failure) : undefined), 1000, 10, timer),
    ).rejects.toBe(failure);
  });
});
