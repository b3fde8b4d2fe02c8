ALTER TABLE `events` ADD `agenda_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every change to what an event's agenda shows bumps its version, whichever code (or hand) made it.
CREATE TRIGGER `agenda_sessions_insert_version` AFTER INSERT ON `agenda_sessions` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1 WHERE `id` = NEW.`event_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `agenda_sessions_update_version` AFTER UPDATE ON `agenda_sessions` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1 WHERE `id` IN (OLD.`event_id`, NEW.`event_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `agenda_sessions_delete_version` AFTER DELETE ON `agenda_sessions` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1 WHERE `id` = OLD.`event_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `session_speakers_insert_version` AFTER INSERT ON `session_speakers` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1
   WHERE `id` IN (SELECT `event_id` FROM `agenda_sessions` WHERE `id` = NEW.`session_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `session_speakers_update_version` AFTER UPDATE ON `session_speakers` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1
   WHERE `id` IN (SELECT `event_id` FROM `agenda_sessions` WHERE `id` IN (OLD.`session_id`, NEW.`session_id`));
END;
--> statement-breakpoint
CREATE TRIGGER `session_speakers_delete_version` AFTER DELETE ON `session_speakers` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1
   WHERE `id` IN (SELECT `event_id` FROM `agenda_sessions` WHERE `id` = OLD.`session_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `rooms_insert_version` AFTER INSERT ON `rooms` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1 WHERE `id` = NEW.`event_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `rooms_update_version` AFTER UPDATE ON `rooms` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1 WHERE `id` IN (OLD.`event_id`, NEW.`event_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `rooms_delete_version` AFTER DELETE ON `rooms` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1 WHERE `id` = OLD.`event_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `pillars_update_version` AFTER UPDATE ON `pillars` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1
   WHERE `id` IN (SELECT `event_id` FROM `agenda_sessions` WHERE `pillar_id` IN (OLD.`id`, NEW.`id`));
END;
--> statement-breakpoint
CREATE TRIGGER `users_update_version` AFTER UPDATE OF `name`, `organisation_id` ON `users`
  WHEN OLD.`name` IS NOT NEW.`name` OR OLD.`organisation_id` IS NOT NEW.`organisation_id` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1
   WHERE `id` IN (SELECT s.`event_id` FROM `session_speakers` sp JOIN `agenda_sessions` s ON s.`id` = sp.`session_id`
                   WHERE sp.`user_id` = NEW.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `organisations_update_version` AFTER UPDATE OF `name` ON `organisations`
  WHEN OLD.`name` IS NOT NEW.`name` BEGIN
  UPDATE `events` SET `agenda_version` = `agenda_version` + 1
   WHERE `id` IN (SELECT s.`event_id` FROM `session_speakers` sp JOIN `users` u ON u.`id` = sp.`user_id`
                   JOIN `agenda_sessions` s ON s.`id` = sp.`session_id` WHERE u.`organisation_id` = NEW.`id`);
END;
