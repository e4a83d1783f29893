export * from './storage';
export * from './local-directory-storage';
export * from './s3-storage';
export * from './sigv4';
export * from './config';
