import type { PlatformFactory } from '../framework/types.js';

/** The OnSched emulator (contract: shared/providers/onsched.md). Not built yet. */
export const createOnSchedEmulator: PlatformFactory = () => {
  throw new Error('the onsched emulator is not built yet');
};
