module.exports = require('../../jest.preset').preset('unit', __dirname);
