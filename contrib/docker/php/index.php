<?php
// contrib/docker/php/index.php: send one message per request with mail().
// mail() runs "sendmail -t -i" (contrib/php/mailhop.ini); mailhop queues it
// in the shared spool and exits 0 once it is on disk.
$to = $_GET['to'] ?? 'someone@example.com';
$ok = mail($to, 'Hello from the container', "It went through mailhop.\n",
    ['From' => 'app@example.com']);
header('Content-Type: text/plain');
echo $ok ? "queued for $to\n" : "mail() failed: see the container's log\n";
