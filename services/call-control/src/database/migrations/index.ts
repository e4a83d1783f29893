import { Initial1795259989520 } from './1795259989520-Initial';

/** Every migration of this service, oldest first. */
export const migrations = [Initial1795259989520];
