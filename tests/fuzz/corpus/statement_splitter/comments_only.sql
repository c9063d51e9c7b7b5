-- only comments
/* and ; */ ;;; -- ;

