/**
 * Migration steps written in SQL that SQLite and PostgreSQL both accept (BIGINT and BOOLEAN map to
 * SQLite's INTEGER affinity): one text for both stores, so their schemas cannot drift.
 */

/** Delivery: segments, route steps for failover, and receipts matched by (gateway, provider id). */
export const DELIVERY_SCHEMA = `
      ALTER TABLE messages ADD COLUMN segments INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE messages ADD COLUMN route_step INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE message_attempts ADD COLUMN segments INTEGER;
      CREATE INDEX messages_by_provider_id ON messages (gateway, provider_message_id) WHERE provider_message_id IS NOT NULL;
      CREATE TABLE message_receipts (
        gateway TEXT NOT NULL,
        provider_message_id TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (gateway, provider_message_id)
      );
`;

/** Abuse defences: conversion columns, the spend counter, number rules, client policies, breaker blocks. */
export const ABUSE_SCHEMA = `
      ALTER TABLE verifications ADD COLUMN country TEXT;
      ALTER TABLE verifications ADD COLUMN prefix TEXT;
      ALTER TABLE verifications ADD COLUMN messaged INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE usage_daily ADD COLUMN spend_micros BIGINT NOT NULL DEFAULT 0;
      CREATE TABLE number_rules (
        kind TEXT NOT NULL,
        prefix TEXT NOT NULL,
        note TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (kind, prefix)
      );
      CREATE TABLE client_policies (
        client_id TEXT PRIMARY KEY,
        countries TEXT,
        daily_messages BIGINT,
        daily_budget_micros BIGINT,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE scope_blocks (
        scope TEXT PRIMARY KEY,
        until BIGINT NOT NULL,
        shadow BOOLEAN NOT NULL,
        reason TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
`;
