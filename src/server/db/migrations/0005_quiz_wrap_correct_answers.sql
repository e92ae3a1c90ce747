-- Correct answers are stored as {"value": ...}: a top-level jsonb string would be re-parsed on read
-- ("42" coming back as 42). Wraps the rows written before, once.
UPDATE "quiz_questions"
SET "correct_answer" = jsonb_build_object('value', "correct_answer")
WHERE NOT (jsonb_typeof("correct_answer") = 'object' AND "correct_answer" ? 'value');
