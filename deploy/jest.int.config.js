module.exports = require('../jest.preset').preset('int', __dirname);
