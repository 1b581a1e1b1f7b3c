import type { PlatformFactory } from '../framework/types.js';

/** The DaySchedule emulator (contract: shared/providers/dayschedule.md). Not built yet. */
export const createDayScheduleEmulator: PlatformFactory = () => {
  throw new Error('the dayschedule emulator is not built yet');
};
