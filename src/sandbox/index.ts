import { type RunningEmulator, runEmulator } from './framework/server.js';
import { PLATFORMS } from '../connectors/platforms.js';
import type { EmulatorOptions, Platform, PlatformFactory } from './framework/types.js';
import { createAppointeddEmulator } from './appointedd/index.js';
import { createBookingtimeEmulator } from './bookingtime/index.js';
import { createDayScheduleEmulator } from './dayschedule/index.js';
import { createOnSchedEmulator } from './onsched/index.js';
import { createYAppointmentEmulator } from './yappointment/index.js';

export type { EmulatorOptions, Platform } from './framework/types.js';

/** Every platform's emulator; the compiler insists on one per platform of the list. */

const FACTORIES: Record<Platform, PlatformFactory> = {
  dayschedule: createDayScheduleEmulator,
  bookingtime: createBookingtimeEmulator,
  yappointment: createYAppointmentEmulator,
  appointedd: createAppointeddEmulator,
  onsched: createOnSchedEmulator,
};

/** Starts one emulator on 127.0.0.1 (README §2). */
export async function startEmulator(platform: Platform, options: EmulatorOptions = {}): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const running: RunningEmulator = await runEmulator(platform, FACTORIES[platform], options);
  return { baseUrl: running.baseUrl, close: running.close };
}

/** The emulated platforms' slugs, in the order of the platform list (which gives their ports). */
export const EMULATED: readonly Platform[] = PLATFORMS.map((p) => p.slug);

/**
 * Starts all of them. With `options.port` set to a base B > 0, they take B+1, B+2, … in the order of
 * the platform list; otherwise random free ports.
 */
export async function startAllEmulators(
  options: EmulatorOptions & { platforms?: readonly Platform[] } = {},
): Promise<{ baseUrls: Record<Platform, string>; close(): Promise<void> }> {
  const started: Array<{ platform: Platform; baseUrl: string; close(): Promise<void> }> = [];
  const wanted = options.platforms ?? EMULATED;
  try {
    for (const platform of wanted) {
      const index = EMULATED.indexOf(platform);
      const port = options.port ? options.port + index + 1 : 0;
      const e = await startEmulator(platform, { ...options, port });
      started.push({ platform, ...e });
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return {
    baseUrls: Object.fromEntries(started.map((s) => [s.platform, s.baseUrl])) as Record<Platform, string>,
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
