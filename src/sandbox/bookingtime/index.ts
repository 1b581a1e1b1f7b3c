import type { PlatformFactory } from '../framework/types.js';

/** The Bookingtime emulator (contract: shared/providers/bookingtime.md). Not built yet. */
export const createBookingtimeEmulator: PlatformFactory = () => {
  throw new Error('the bookingtime emulator is not built yet');
};
