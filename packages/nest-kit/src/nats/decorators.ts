import { applyDecorators, Injectable, type PipeTransform } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { commandSchemas, type CommandSubject } from '@parley/contracts';
import { type ZodType } from 'zod';

/** Validates an incoming NATS payload against its subject's schema, at the edge. */
@Injectable()
class ContractPipe implements PipeTransform {
  constructor(
    private readonly subject: string,
    private readonly schema: ZodType,
  ) {}

  transform(value: unknown): unknown {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new RpcException({
      code: 'invalid-payload',
      message: `${this.subject}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    });
  }
}

/** Marks a method as the handler of a request/reply command. */
export function CommandHandler(subject: CommandSubject): MethodDecorator {
  return applyDecorators(MessagePattern(subject));
}

/** The command's request, validated against its schema. */
export function CommandPayload(subject: CommandSubject): ParameterDecorator {
  return Payload(new ContractPipe(subject, commandSchemas(subject).request));
}
