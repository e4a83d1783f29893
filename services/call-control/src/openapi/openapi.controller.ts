import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type OpenAPIObject } from '@nestjs/swagger';
import { OpenApiDocument } from './openapi.service';

const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Parley call-control API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/docs-init.js"></script>
  </body>
</html>
`;

/** `/openapi.json` and a Swagger UI at `/docs` (assets from swagger-ui-dist, no CDN). */
@ApiExcludeController()
@Controller()
export class OpenApiController {
  constructor(private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  @Header('Cache-Control', 'no-cache')
  openapi(): OpenAPIObject {
    return this.document.get();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs(): string {
    return DOCS_HTML;
  }

  @Get('docs/assets/docs-init.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  init(): string {
    // A file, not an inline script, so a strict Content-Security-Policy can stay strict.
    return "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });\n";
  }
}
