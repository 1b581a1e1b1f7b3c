import type { PlatformFactory } from '../framework/types.js';

/** The Appointedd emulator (contract: shared/providers/appointedd.md). Not built yet. */
export const createAppointeddEmulator: PlatformFactory = () => {
  throw new Error('the appointedd emulator is not built yet');
};
