export { loadConfig, type IvrConfig } from './config';
export {
  GREETING,
  greeting,
  type IvrOptions,
  MENU,
  menu,
  PATHS,
  recorded,
  transferred,
} from './ivr';
export { createIvrServer, type IvrServerOptions } from './server';
export { isSignedRequest } from './signature';
export { provisionDemo, type ProvisionOptions, type ProvisionResult } from './provision';
