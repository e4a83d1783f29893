import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class SessionPosition1796187800665 implements MigrationInterface {
  name = 'SessionPosition1796187800665';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "owner_instance" character varying(128)`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "document_method" character varying(4)`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "document_twiml" text`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "gather_digits" character varying(64) NOT NULL DEFAULT ''`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "answered" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "error_code" integer`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" ADD "ended_reason" character varying(32)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "ended_reason"`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "error_code"`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "answered"`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "gather_digits"`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "document_twiml"`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "document_method"`,
    );
    await queryRunner.query(
      `ALTER TABLE "twiml_interpreter"."call_sessions" DROP COLUMN "owner_instance"`,
    );
  }
}
