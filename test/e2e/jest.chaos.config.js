module.exports = require('../../jest.preset').preset('chaos', __dirname);
