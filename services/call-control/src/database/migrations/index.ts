import { Initial1795259989520 } from './1795259989520-Initial';
import { CallControl1795263795111 } from './1795263795111-CallControl';
import { Recordings1795270991777 } from './1795270991777-Recordings';
import { CallEffects1796207880093 } from './1796207880093-CallEffects';
import { Messaging1796208274444 } from './1796208274444-Messaging';
import { DeadLetters1796208496882 } from './1796208496882-DeadLetters';
import { SenderCallbackPermission1796209325967 } from './1796209325967-SenderCallbackPermission';
import { WebhookDeliveries1796211988287 } from './1796211988287-WebhookDeliveries';
import { ContentApprovals1796223228169 } from './1796223228169-ContentApprovals';
import { Streams1796223547412 } from './1796223547412-Streams';

/** Every migration of this service, oldest first. */
export const migrations = [
  Initial1795259989520,
  CallControl1795263795111,
  Recordings1795270991777,
  CallEffects1796207880093,
  Messaging1796208274444,
  DeadLetters1796208496882,
  SenderCallbackPermission1796209325967,
  WebhookDeliveries1796211988287,
  ContentApprovals1796223228169,
  Streams1796223547412,
];
