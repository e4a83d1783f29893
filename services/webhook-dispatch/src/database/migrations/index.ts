import { Initial1795259993099 } from './1795259993099-Initial';
import { DeliveryOutbox1796187845733 } from './1796187845733-DeliveryOutbox';
import { MessageWebhooks1796208604352 } from './1796208604352-MessageWebhooks';
import { RequestLog1796223358888 } from './1796223358888-RequestLog';
import { StreamStatusCallbacks1796223600000 } from './1796223600000-StreamStatusCallbacks';
import { ContentApprovalCallbacks1796224000000 } from './1796224000000-ContentApprovalCallbacks';

/** Every migration of this service, oldest first. */
export const migrations = [
  Initial1795259993099,
  DeliveryOutbox1796187845733,
  MessageWebhooks1796208604352,
  RequestLog1796223358888,
  StreamStatusCallbacks1796223600000,
  ContentApprovalCallbacks1796224000000,
];
