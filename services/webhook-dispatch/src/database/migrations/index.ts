import { Initial1795259993099 } from './1795259993099-Initial';
import { DeliveryOutbox1796187845733 } from './1796187845733-DeliveryOutbox';
import { MessageWebhooks1796208604352 } from './1796208604352-MessageWebhooks';
import { StreamStatusCallbacks1796223600000 } from './1796223600000-StreamStatusCallbacks';

/** Every migration of this service, oldest first. */
export const migrations = [
  Initial1795259993099,
  DeliveryOutbox1796187845733,
  MessageWebhooks1796208604352,
  StreamStatusCallbacks1796223600000,
];
