module.exports = require('../jest.preset').preset('e2e', __dirname);
