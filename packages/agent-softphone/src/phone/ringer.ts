/**
 * The ring tone, made with WebAudio (no audio file to load): 450 Hz, one second on, four off —
 * the Chinese ringing cadence (YD/T 1277 / ITU-T E.180 supplement for China).
 */
export class Ringer {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Idempotent. Browsers may refuse audio before a user gesture; the ring is then silent. */
  start(): void {
    if (this.ctx) return;
    let ctx: AudioContext;
    try {
      ctx = new AudioContext();
    } catch {
      return;
    }
    this.ctx = ctx;
    const burst = () => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 450;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(ctx.destination);
      const t0 = ctx.currentTime;
      osc.start(t0);
      osc.stop(t0 + 1);
    };
    burst();
    this.timer = setInterval(burst, 5_000);
  }

  /** Idempotent; frees the audio context. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ctx = this.ctx;
    this.ctx = null;
    void ctx?.close().catch(() => undefined);
  }
}
