import { Initial1795259989520 } from './1795259989520-Initial';
import { CallControl1795263795111 } from './1795263795111-CallControl';
import { Recordings1795270991777 } from './1795270991777-Recordings';
import { CallEffects1796207880093 } from './1796207880093-CallEffects';

/** Every migration of this service, oldest first. */
export const migrations = [
  Initial1795259989520,
  CallControl1795263795111,
  Recordings1795270991777,
  CallEffects1796207880093,
];
