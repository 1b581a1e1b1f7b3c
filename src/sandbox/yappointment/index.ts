import type { PlatformFactory } from '../framework/types.js';

/** The YAppointment emulator (contract: shared/providers/yappointment.md). Not built yet. */
export const createYAppointmentEmulator: PlatformFactory = () => {
  throw new Error('the yappointment emulator is not built yet');
};
