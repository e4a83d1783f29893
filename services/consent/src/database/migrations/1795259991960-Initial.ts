import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Initial1795259991960 implements MigrationInterface {
  name = 'Initial1795259991960';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "consent"."call_permissions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_sid" character(34) NOT NULL, "business_phone_number_id" character varying(32) NOT NULL, "user_wa_id" character varying(20) NOT NULL, "status" character varying(16) NOT NULL, "is_permanent" boolean NOT NULL DEFAULT false, "expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "call_permissions_number_user_key" UNIQUE ("business_phone_number_id", "user_wa_id"), CONSTRAINT "call_permissions_status_check" CHECK ("status" IN ('granted', 'denied', 'revoked', 'expired')), CONSTRAINT "PK_b657bd5210140472e28070bbb2b" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "consent"."call_permissions"`);
  }
}
