import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_INFO, type ServiceInfo } from '@parley/nest-kit';
import { z } from 'zod';
import { componentSchemas, registerComponent } from './api-doc';

/** Routes of the public API; health, metrics and this document itself are left out. */
export const PUBLIC_PATH_PREFIXES = ['/2010-04-01/', '/v1/', '/v2/', '/meta/webhooks'] as const;

registerComponent(
  'Error',
  z.object({
    code: z.number().int().describe('Twilio-style error code'),
    message: z.string(),
    more_info: z.string(),
    status: z.number().int().describe('HTTP status'),
  }),
);

/**
 * The OpenAPI 3 document of the public API, generated from the controllers' decorators
 * (@nestjs/swagger) and the zod schemas of the resources. @nestjs/swagger scans an
 * application object; it is given the same modules the running application has.
 */
@Injectable()
export class OpenApiDocument {
  private cached: OpenAPIObject | undefined;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly host: HttpAdapterHost,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
  ) {}

  get(): OpenAPIObject {
    this.cached ??= this.build();
    return this.cached;
  }

  private build(): OpenAPIObject {
    const config = new DocumentBuilder()
      .setTitle('Parley call-control API')
      .setDescription(
        'Twilio-compatible REST API for WhatsApp calls (Calls, Applications, call Events), WhatsApp senders (/v2/Channels/Senders) and the Meta webhook ingress. ' +
          'Authenticate with HTTP Basic: AccountSid and auth token, or API key sid and secret. Errors are `{code, message, more_info, status}`.',
      )
      .setVersion(this.info.version)
      .addBasicAuth()
      .build();
    const modules = this.modules;
    const scanTarget = {
      container: { getModules: () => modules, isGlobalModule: () => false },
      config: new ApplicationConfig(),
      getHttpAdapter: () => this.host.httpAdapter,
    } as unknown as INestApplication;
    const document = SwaggerModule.createDocument(scanTarget, config, {
      operationIdFactory: (controller, method) =>
        `${controller.replace(/Controller$/, '')}_${method}`,
    });
    document.paths = Object.fromEntries(
      Object.entries(document.paths).filter(([path]) =>
        PUBLIC_PATH_PREFIXES.some((p) => path.startsWith(p)),
      ),
    );
    document.components ??= {};
    document.components.schemas = { ...document.components.schemas, ...componentSchemas() };
    return document;
  }
}
