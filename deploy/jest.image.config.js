// The built images, run with podman (`pnpm test:image` after `./dev image`; as root). Not a
// tier of ./dev test: building the images takes longer than CI allows (deploy/README.md).
const base = require('../jest.preset').preset('e2e', __dirname);
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.image-spec.ts'],
  testTimeout: 300_000,
};
