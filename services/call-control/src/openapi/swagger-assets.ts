import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

/** Serves Swagger UI's files from the swagger-ui-dist package under /docs/assets. */
@Injectable()
export class SwaggerAssets {
  constructor(host: HttpAdapterHost) {
    host.httpAdapter
      .getInstance<express.Express>()
      .use('/docs/assets', express.static(getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
  }
}
