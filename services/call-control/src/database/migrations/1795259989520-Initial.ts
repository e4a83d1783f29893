import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Initial1795259989520 implements MigrationInterface {
  name = 'Initial1795259989520';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_control"."accounts" ("sid" character(34) NOT NULL, "friendly_name" character varying(64) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "date_updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "accounts_sid_check" CHECK ("sid" ~ '^AC[0-9a-f]{32}$'), CONSTRAINT "accounts_status_check" CHECK ("status" IN ('active', 'suspended', 'closed')), CONSTRAINT "PK_8b374d033b9b42c6a154cf62603" PRIMARY KEY ("sid"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "call_control"."accounts"`);
  }
}
