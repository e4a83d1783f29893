import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Initial1795259993099 implements MigrationInterface {
  name = 'Initial1795259993099';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_dispatch"."webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_sid" character(34) NOT NULL, "call_sid" character(34), "idempotency_token" character varying(128) NOT NULL, "url" text NOT NULL, "method" character varying(4) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_status_code" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "webhook_deliveries_method_check" CHECK ("method" IN ('GET', 'POST')), CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed')), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_call_sid_idx" ON "webhook_dispatch"."webhook_deliveries" ("call_sid") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "webhook_deliveries_idempotency_token_key" ON "webhook_dispatch"."webhook_deliveries" ("idempotency_token") `,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_dispatch"."webhook_deliveries" ("status", "next_attempt_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "webhook_dispatch"."webhook_deliveries_due_idx"`);
    await queryRunner.query(
      `DROP INDEX "webhook_dispatch"."webhook_deliveries_idempotency_token_key"`,
    );
    await queryRunner.query(`DROP INDEX "webhook_dispatch"."webhook_deliveries_call_sid_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_dispatch"."webhook_deliveries"`);
  }
}
