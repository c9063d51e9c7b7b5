SELECT 'ÿþÃ(' AS â‚ ; CREATE TABLE À¯ (x int);
