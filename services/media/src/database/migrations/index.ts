import { Initial1795259994143 } from './1795259994143-Initial';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259994143];
