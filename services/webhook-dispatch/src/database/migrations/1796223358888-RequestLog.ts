import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class RequestLog1796223358888 implements MigrationInterface {
  name = 'RequestLog1796223358888';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_dispatch"."request_log" ("sid" character(34) NOT NULL, "account_sid" character(34) NOT NULL, "call_sid" character(34), "resource_sid" character varying(34), "delivery_id" uuid, "kind" character varying(32) NOT NULL, "request_method" character varying(4) NOT NULL, "request_url" text NOT NULL, "request_params" jsonb NOT NULL, "request_headers" jsonb NOT NULL, "response_status" integer, "response_headers" jsonb, "response_body" text, "latency_ms" integer NOT NULL, "error_code" integer, "log_level" character varying(8), "message" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "request_log_level_check" CHECK ("log_level" IN ('error', 'warning')), CONSTRAINT "request_log_method_check" CHECK ("request_method" IN ('GET', 'POST')), CONSTRAINT "PK_99e24e5588289d7f6bd54e9a420" PRIMARY KEY ("sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "request_log_created_at_idx" ON "webhook_dispatch"."request_log" ("created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "request_log_call_idx" ON "webhook_dispatch"."request_log" ("call_sid", "created_at", "sid") `,
    );
    await queryRunner.query(
      `CREATE INDEX "request_log_account_idx" ON "webhook_dispatch"."request_log" ("account_sid", "created_at", "sid") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "webhook_dispatch"."request_log_account_idx"`);
    await queryRunner.query(`DROP INDEX "webhook_dispatch"."request_log_call_idx"`);
    await queryRunner.query(`DROP INDEX "webhook_dispatch"."request_log_created_at_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_dispatch"."request_log"`);
  }
}
