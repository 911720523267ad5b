// Test-only preload (`node --import ./shift-clock.mjs`): shifts `Date.now()` and `new Date()` by
// TOKENMETER_TEST_CLOCK_OFFSET_MS, so an end-to-end test can restart the control plane process
// "in the next month". Nothing in the service reads this variable; only this file does.
const offset = Number(process.env.TOKENMETER_TEST_CLOCK_OFFSET_MS ?? '0');
if (offset !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + offset);
      else super(...args);
    }
    static now() {
      return realNow() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
